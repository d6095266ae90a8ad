/**
 * Cross-site request forgery. Browsers attach cookies to requests other sites trigger, so:
 * - a state-changing request authenticated by the session cookie must carry the session's CSRF
 *   token (form field `_csrf`, or header `X-CSRF-Token` for scripts);
 * - a state-changing request that a browser marks as coming from another origin is refused
 *   unless it carries a Bearer token (which no other site can make a browser send). With auth
 *   off this is what stops any web page from submitting commands to a jobgate on localhost.
 * Bearer-authenticated requests and non-browser clients (no Origin header) are unaffected.
 * GET, HEAD and OPTIONS never change state in jobgate, so they are never checked.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import { secretsEqual } from '../../auth/passwords.js';
import type { AppState } from '../state.js';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Forms that check a token of their own: the login form is posted before (or instead of) a session. */
const OWN_TOKEN_PATHS = new Set(['/login']);

export function csrfRefused(message: string): AppError {
  return new AppError(403, 'FORBIDDEN', message).withBody({ detail: message });
}

/** The token the request carries: the header, else the form/JSON body field. */
export function sentCsrfToken(ctx: ParameterizedContext): string {
  const header = ctx.get(CSRF_HEADER);
  if (header !== '') {
    return header;
  }
  const body: unknown = (ctx.request as { body?: unknown }).body;
  const field = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
  return typeof field === 'string' ? field : '';
}

/** Hosts this request may legitimately come from: the Host it was sent to, and the one a proxy says it was. */
function ownHosts(ctx: ParameterizedContext): Set<string> {
  const hosts = new Set([ctx.get('Host').toLowerCase()]);
  const forwarded = ctx.get('X-Forwarded-Host').split(',')[0]?.trim().toLowerCase();
  if (forwarded) {
    hosts.add(forwarded);
  }
  return hosts;
}

export function isCrossSite(ctx: ParameterizedContext): boolean {
  const site = ctx.get('Sec-Fetch-Site').toLowerCase();
  if (site !== '') {
    // A browser that sends Sec-Fetch-Site says exactly where the request comes from. It is
    // trusted before Origin because, under our Referrer-Policy: no-referrer, browsers send
    // `Origin: null` even on this site's own form posts. Only this origin (or the user typing
    // the address) counts: another port on the same host is "same-site" and is refused.
    return site !== 'same-origin' && site !== 'none';
  }
  const origin = ctx.get('Origin');
  if (origin === '') {
    return false;
  }
  try {
    return !ownHosts(ctx).has(new URL(origin).host.toLowerCase());
  } catch {
    // "null" (sandboxed frames, file: pages) and garbage: not us.
    return true;
  }
}

export function csrfProtection(): Middleware<AppState> {
  return async function csrfProtectionMiddleware(ctx, next) {
    if (!SAFE_METHODS.has(ctx.method)) {
      const credential = ctx.state.credential;
      // A Bearer token or API key is a header a browser never adds by itself: no forgery possible.
      if (credential?.kind !== 'bearer' && credential?.kind !== 'api_key' && isCrossSite(ctx)) {
        throw csrfRefused('Cross-site request refused');
      }
      if (credential?.kind === 'session' && !OWN_TOKEN_PATHS.has(ctx.path) && !secretsEqual(sentCsrfToken(ctx), credential.csrfToken)) {
        throw csrfRefused('CSRF token missing or invalid');
      }
    }
    await next();
  };
}
