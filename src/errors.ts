/**
 * Errors with an HTTP meaning, thrown by the domain and rendered in one place (the error
 * middleware). `code` is stable for clients; `expose` says whether the message may be shown
 * (never for 5xx, whose text could leak internals).
 */
export interface FieldError {
  field: string;
  message: string;
}

/** Stable error codes (listed as values so the API documentation can enumerate them). */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'RESOURCE_NOT_FOUND',
  'RESOURCE_CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'BACKEND_ERROR',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly expose: boolean;
  /** Extra headers to send with the error (Retry-After, WWW-Authenticate...). */
  headers: Record<string, string> = {};
  /** A compatible response body (flux-restful-api shapes) to send instead of the generic one. */
  body: unknown = undefined;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AppError';
    // Client errors, and the service-level 502/503 whose text is written for callers (e.g. the
    // backend's reason), may be shown; any other 5xx text could leak internals.
    this.expose = status < 500 || code === 'SERVICE_UNAVAILABLE' || code === 'BACKEND_ERROR';
  }

  withHeaders(headers: Record<string, string>): this {
    Object.assign(this.headers, headers);
    return this;
  }

  withBody(body: unknown): this {
    this.body = body;
    return this;
  }
}

export function validationError(details: FieldError[], message?: string): AppError {
  const summary = message ?? details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
  return new AppError(400, 'VALIDATION_ERROR', summary, details);
}

export function notFound(message: string): AppError {
  return new AppError(404, 'RESOURCE_NOT_FOUND', message);
}

export function conflict(message: string): AppError {
  return new AppError(409, 'RESOURCE_CONFLICT', message);
}

export function unavailable(message: string, retryAfterSeconds = 5): AppError {
  return new AppError(503, 'SERVICE_UNAVAILABLE', message).withHeaders({ 'Retry-After': String(retryAfterSeconds) });
}

/** A job's output files were removed from the data directory: what is left cannot be read. */
export function outputGone(what: string): AppError {
  return notFound(`The output of this job is gone: its ${what} was removed from jobgate's data directory`);
}

/**
 * A write refused by the disk under the data directory (full, or failing) as a 503: nothing was
 * stored, and the same request can succeed once space returns. Null for any other error.
 */
export function storageRefusal(error: unknown): AppError | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return unavailable("jobgate's data directory is full (no space left on its disk): nothing was stored; try again once space is freed", 30);
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_IOERR') || code === 'EIO')) {
    return unavailable("jobgate cannot write to its data directory (I/O error): nothing was stored", 30);
  }
  return null;
}

