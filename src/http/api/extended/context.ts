/** What the routes beyond flux-restful-api's need from the rest of jobgate. */
import type { AuthService } from '../../../auth/auth-service.js';
import type { Config } from '../../../config/schema.js';
import type { ExtendedServices } from '../../../domain/extended-services.js';
import type { JobService } from '../../../domain/jobs-service.js';

export interface ExtendedDeps {
  config: Config;
  jobs: JobService;
  services: ExtendedServices;
  /** Users and their API keys (`/v1/users`). */
  auth: AuthService;
  /** Epoch seconds. */
  now: () => number;
}
