/** What middleware puts on `ctx.state` for the handlers after it. */
import type { Actor } from '../model/job.js';
import type { Logger } from '../logger.js';

/** The credential a request was authenticated with (absent with auth off, or without credentials). */
export type Credential = { kind: 'bearer'; jti: string } | { kind: 'session'; id: string; csrfToken: string };

export interface AppState {
  requestId: string;
  /** The server's logger with this request's id on every line (set by the request log middleware). */
  log?: Logger;
  /** Who is asking; set by the auth middleware (absent on public routes without credentials). */
  actor?: Actor;
  /** How the actor proved who they are; state-changing requests made with a session cookie need its CSRF token. */
  credential?: Credential;
  /** Set when the request carried a Bearer token that is forged, expired or revoked (the 401 says so). */
  authProblem?: 'invalid_token';
}
