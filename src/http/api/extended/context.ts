/** What the routes beyond flux-restful-api's need from the rest of jobgate. */
import type { Config } from '../../../config/schema.js';
import type { ExtendedServices } from '../../../domain/extended-services.js';
import type { JobService } from '../../../domain/jobs-service.js';

export interface ExtendedDeps {
  config: Config;
  jobs: JobService;
  services: ExtendedServices;
  /** Epoch seconds. */
  now: () => number;
}
