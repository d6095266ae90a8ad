/** What middleware puts on `ctx.state` for the handlers after it. */
import type { Actor } from '../model/job.js';
import type { Logger } from '../logger.js';

/** The credential a request was authenticated with (absent with auth off, or without credentials). */
export type Credential =
  /** `viaApiKey`: obtained with an API key (client_credentials). */
  | { kind: 'bearer'; jti: string; expiresAt: number; readOnly: boolean; viaApiKey: boolean }
  | { kind: 'session'; id: string; csrfToken: string; expiresAt: number; readOnly: false }
  /** An API key sent as `Authorization: Bearer jg_...` or `X-API-Key`; `expiresAt` null: until revoked. */
  | { kind: 'api_key'; keyId: number; keyName: string; expiresAt: number | null; readOnly: boolean };

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
  /** Set when the caller's address is outside JOBGATE_ADMIN_ALLOW: admin routes answer 403 with it. */
  adminRefusal?: string;
}
