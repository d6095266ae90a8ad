/** What every page handler is given: views, the renderer and the services behind the pages. */
import type { Environment } from 'nunjucks';
import type { JobService } from '../../domain/jobs-service.js';
import type { ExtendedServices } from '../../domain/extended-services.js';
import type { OutputStore } from '../../output/output-store.js';
import type { PageRenderer } from './render.js';

export interface PageDeps {
  views: Environment;
  /** Renders a page with the caller's sign-in state and CSRF token (see render.ts). */
  render: PageRenderer;
  executor: string;
  version: string;
  jobs: JobService;
  /** Labels, hold/release/priority and templates (the job page's controls, the templates pages). */
  extended: ExtendedServices;
  output: OutputStore;
  /** Largest num_nodes the server accepts (the form's limit). */
  /** Read at each request: a Flux executor learns its instance's size when it connects. */
  maxNodes: () => number;
  /** Seconds since the epoch. */
  now: () => number;
}
