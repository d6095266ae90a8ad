/**
 * HTTP caching for the GET answers of routes declared `cache: 'revalidate'` (RFC 9110 §8.8,
 * §13; RFC 9111; RFC 5861):
 *
 * - every 200 JSON answer gets a strong ETag (a hash of the caller and the exact bytes) and
 *   `Cache-Control: private, no-cache` — browsers and clients may keep it but must revalidate,
 *   shared caches must not keep it — with `Vary: Authorization, Cookie`: an answer is never
 *   served across users;
 * - routes that know when their data last changed say so with `setLastModified`, and get a
 *   Last-Modified header;
 * - `If-None-Match` (or, without it, `If-Modified-Since`) that still matches gets a 304;
 * - the last good answer per caller and URL is kept (bounded), and a request carrying
 *   `Cache-Control: stale-if-error=N` gets it back, with Age and Warning, when the route fails
 *   with a 5xx (the backend is unreachable) and the answer is at most N seconds old.
 *
 * Routes declared `no-store` set their own Cache-Control and are left alone, and so are
 * streams; routes declared `none`, and pages, never get here.
 */
import { createHash } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import type { AppState } from '../state.js';

const lastModified = new WeakMap<object, number>();

/** Declares when the data behind this answer last changed (epoch seconds). */
export function setLastModified(ctx: ParameterizedContext, seconds: number): void {
  lastModified.set(ctx, seconds);
}

export interface HttpCacheOptions {
  /** Whether the request's route declares `cache: 'revalidate'` (pages carry CSRF tokens and are never cached). */
  revalidates: (ctx: ParameterizedContext<AppState>) => boolean;
  maxEntries?: number;
  maxEntryBytes?: number;
  maxTotalBytes?: number;
  /** Milliseconds. */
  now?: () => number;
}

interface Stored {
  body: string | Buffer;
  headers: Record<string, string>;
  storedAt: number;
  bytes: number;
}

/** Last good answers, least recently stored first out. */
class LastGoodAnswers {
  private readonly entries = new Map<string, Stored>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxEntryBytes: number,
    private readonly maxTotalBytes: number,
  ) {}

  put(key: string, entry: Stored): void {
    this.remove(key);
    if (entry.bytes > this.maxEntryBytes) {
      return;
    }
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxTotalBytes) {
        break;
      }
      this.remove(oldest);
    }
  }

  get(key: string): Stored | undefined {
    return this.entries.get(key);
  }

  private remove(key: string): void {
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      this.bytes -= existing.bytes;
      this.entries.delete(key);
    }
  }
}

function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

/** RFC 9110 §13.1.2: weak comparison, any of a list, or `*`. */
function noneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') {
    return true;
  }
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((item) => item.trim().replace(/^W\//, '') === opaque);
}

/** `stale-if-error=N` in the request's Cache-Control (RFC 5861 §4), in seconds. */
export function staleIfError(cacheControl: string): number | undefined {
  const match = /(?:^|,)\s*stale-if-error\s*=\s*"?(\d{1,9})"?\s*(?:,|$)/i.exec(cacheControl);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** A response header as one string ('' when unset; Node returns undefined, numbers or lists). */
function header(ctx: ParameterizedContext, name: string): string {
  const value: unknown = ctx.response.get(name);
  return value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value);
}

function statusOf(error: unknown): number {
  if (error instanceof AppError) {
    return error.status;
  }
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 500;
}

export function httpCache(options: HttpCacheOptions): Middleware<AppState> {
  const now = options.now ?? Date.now;
  const answers = new LastGoodAnswers(options.maxEntries ?? 2000, options.maxEntryBytes ?? 256 * 1024, options.maxTotalBytes ?? 32 * 1024 * 1024);

  const keyOf = (ctx: ParameterizedContext<AppState>): string => {
    const actor = ctx.state.actor;
    return `${actor?.name ?? ''}\u0000${actor?.superuser === true ? 'S' : 'U'}\u0000${ctx.originalUrl}`;
  };

  return async function httpCacheMiddleware(ctx, next) {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !options.revalidates(ctx)) {
      await next();
      return;
    }
    try {
      await next();
    } catch (error: unknown) {
      const status = statusOf(error);
      const allowed = staleIfError(ctx.get('Cache-Control'));
      const stored = allowed === undefined || ![500, 502, 503, 504].includes(status) ? undefined : answers.get(keyOf(ctx));
      const age = stored === undefined ? Number.POSITIVE_INFINITY : Math.floor((now() - stored.storedAt) / 1000);
      if (stored === undefined || allowed === undefined || age > allowed) {
        throw error;
      }
      ctx.status = 200;
      for (const [name, value] of Object.entries(stored.headers)) {
        ctx.set(name, value);
      }
      ctx.set('Age', String(age));
      ctx.set('Warning', '110 - "Response is Stale", 111 - "Revalidation Failed"');
      ctx.body = stored.body;
      return;
    }

    const body: unknown = ctx.body;
    const cacheControl = header(ctx, 'Cache-Control');
    if (ctx.status !== 200 || !(typeof body === 'string' || Buffer.isBuffer(body)) || /no-store/i.test(cacheControl)) {
      return;
    }
    if (cacheControl === '') {
      ctx.set('Cache-Control', 'private, no-cache');
    }
    ctx.vary('Authorization');
    ctx.vary('Cookie');
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const actor = ctx.state.actor;
    const hash = createHash('sha256').update(`${actor?.name ?? ''}\u0000`).update(bytes).digest('base64url').slice(0, 27);
    const etag = `"${hash}"`;
    ctx.set('ETag', etag);
    const changed = lastModified.get(ctx);
    const nowSeconds = Math.floor(now() / 1000);
    // Whole seconds, rounded up, never later than now (RFC 9110 §8.8.2.1). Within the second of
    // the last change a date cannot tell two versions apart, so If-Modified-Since is only
    // honoured once that second is over.
    const modified = changed === undefined ? undefined : Math.min(Math.ceil(changed), nowSeconds);
    if (modified !== undefined) {
      ctx.set('Last-Modified', httpDate(modified));
    }
    const headers: Record<string, string> = {};
    for (const name of ['Content-Type', 'Cache-Control', 'ETag', 'Last-Modified', 'Vary']) {
      const value = header(ctx, name);
      if (value !== '') headers[name] = value;
    }
    answers.put(keyOf(ctx), { body, headers, storedAt: now(), bytes: bytes.length });

    const ifNoneMatch = ctx.get('If-None-Match');
    const ifModifiedSince = Date.parse(ctx.get('If-Modified-Since'));
    if (ifNoneMatch !== '') {
      if (noneMatchHits(ifNoneMatch, etag)) {
        ctx.status = 304;
      }
    } else if (modified !== undefined && changed !== undefined && Math.ceil(changed) <= nowSeconds && !Number.isNaN(ifModifiedSince) && modified <= ifModifiedSince / 1000) {
      ctx.status = 304;
    }
  };
}
