/**
 * With auth off jobgate listens on loopback only, but a web page can still reach it through
 * DNS rebinding (a name the attacker controls that resolves to 127.0.0.1, making the page
 * "same-origin" with jobgate). Such requests carry the attacker's name in Host, so without auth
 * on a loopback address only loopback names are answered.
 */
import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';

export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export function loopbackHostGuard(): Middleware {
  return async function loopbackHostGuardMiddleware(ctx, next) {
    if (!isLoopbackName(ctx.hostname)) {
      const message = 'This jobgate runs without authentication and only answers requests addressed to a loopback name (localhost, 127.0.0.1, [::1])';
      throw new AppError(403, 'FORBIDDEN', message).withBody({ detail: message });
    }
    await next();
  };
}
