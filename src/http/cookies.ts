/**
 * The cookies jobgate sets, written by hand so every attribute is deliberate: HttpOnly (no
 * script reads them), SameSite, Path, Max-Age, and Secure whenever the browser reached us over
 * https (directly or through a proxy that says so: claiming https only makes the cookie
 * stricter, so trusting X-Forwarded-Proto here is safe).
 */
import type { ParameterizedContext } from 'koa';

/** The browser session (server-side; the value is a random id). */
export const SESSION_COOKIE = 'jobgate_session';
/** The login form's CSRF token, before any session exists. */
export const LOGIN_CSRF_COOKIE = 'jobgate_login_csrf';

export interface CookieOptions {
  maxAgeSeconds: number;
  path: string;
  sameSite: 'Strict' | 'Lax';
}

export function isHttps(ctx: ParameterizedContext): boolean {
  const forwarded = ctx.get('X-Forwarded-Proto').split(',')[0]?.trim().toLowerCase();
  return ctx.secure || forwarded === 'https';
}

export function readCookie(ctx: ParameterizedContext, name: string): string | undefined {
  const value = ctx.cookies.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export function setCookie(ctx: ParameterizedContext, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`, 'HttpOnly', `SameSite=${options.sameSite}`];
  if (isHttps(ctx)) {
    parts.push('Secure');
  }
  ctx.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(ctx: ParameterizedContext, name: string, path: string): void {
  setCookie(ctx, name, '', { maxAgeSeconds: 0, path, sameSite: 'Strict' });
}
