/** What middleware puts on `ctx.state` for the handlers after it. */
import type { Actor } from '../domain/job.js';

export interface AppState {
  requestId: string;
  /** Who is asking; set by the auth middleware (absent on public routes without credentials). */
  actor?: Actor;
}
