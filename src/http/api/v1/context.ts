/** What the v1 routes need from the rest of jobgate. */
import type { AuthService } from '../../../auth/auth-service.js';
import type { Config } from '../../../config/schema.js';
import type { JobService } from '../../../domain/jobs-service.js';
import type { OutputStore } from '../../../output/output-store.js';
import type { ExtendedServices } from '../../../domain/extended-services.js';

export interface ApiDeps {
  config: Config;
  jobs: JobService;
  /** Users, tokens and sessions (the token routes). */
  auth: AuthService;
  output: OutputStore;
  /** Asks the process to stop (service/stop): answer first, then drain and exit. */
  requestStop: (reason: string) => void;
  now: () => number;
  /** Labels (shown on the job detail) and the change clock (its Last-Modified). */
  extended: ExtendedServices;
}
