/**
 * What can go wrong talking to a jobgate, as the command line tells it: the server refused
 * (status and its own words), or it could not be reached at all.
 */

/** The server answered with an error status. `message` is its explanation, made readable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    /** The 401 says the token is expired, revoked or forged (not merely missing). */
    readonly invalidToken = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer: refused, unreachable, reset, or not HTTP. */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The words a jobgate (or flux-restful-api) error body carries, in the order they are most useful. */
export function errorMessage(status: number, body: unknown, fallback: string): string {
  if (!isObject(body)) {
    return typeof body === 'string' && body.trim() !== '' ? body.trim() : fallback;
  }
  // The one error shape of jobgate's own routes: its message names every problem.
  if (isObject(body.error) && typeof body.error.message === 'string') {
    return body.error.message;
  }
  const detail = body.detail;
  if (Array.isArray(detail)) {
    // FastAPI's 422: one problem per parameter.
    return detail
      .filter(isObject)
      .map((problem) => `${Array.isArray(problem.loc) ? problem.loc.slice(1).join('.') : '?'}: ${String(problem.msg)}`)
      .join('; ');
  }
  const errors = Array.isArray(body.Errors) ? body.Errors.map(String) : [];
  if (typeof body.Message === 'string') {
    return errors.length > 0 ? `${body.Message}: ${errors.join('; ')}` : body.Message;
  }
  if (typeof detail === 'string') {
    return detail;
  }
  return `${fallback} (HTTP ${status})`;
}

/** The reason of a failed fetch, from undici's error chain (ECONNREFUSED, ENOTFOUND, ...). */
export function connectionReason(error: unknown): string {
  let current: unknown = error;
  let deepest = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && isObject(current as Json); depth += 1) {
    if (current instanceof Error) {
      deepest = current.message;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const words: Record<string, string> = {
        ECONNREFUSED: 'connection refused',
        ENOTFOUND: 'no such host',
        ECONNRESET: 'connection reset',
        ETIMEDOUT: 'timed out',
        EHOSTUNREACH: 'host unreachable',
        UND_ERR_SOCKET: 'connection closed',
      };
      return words[code] ?? code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return deepest;
}
