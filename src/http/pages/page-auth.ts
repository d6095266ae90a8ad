/** What pages that need a signed-in user call first. Pages never answer 401: they send the browser to the login page. */
import type { ParameterizedContext } from 'koa';
import type { Actor } from '../../model/job.js';
import type { AppState } from '../state.js';

/** Only a path on this site: never `//host`, `/\host` or a full URL (open redirects). */
export function safeNext(value: unknown): string {
  if (typeof value === 'string' && value.length <= 2048 && /^\/(?![/\\])[^\s\\]*$/.test(value)) {
    return value;
  }
  return '/';
}

/** The signed-in actor, or undefined after redirecting to `/login?next=<this page>` (the handler then returns). */
export function pageActor(ctx: ParameterizedContext<AppState>): Actor | undefined {
  const actor = ctx.state.actor;
  if (actor === undefined) {
    ctx.status = 303;
    ctx.redirect(`/login?next=${encodeURIComponent(safeNext(ctx.originalUrl))}`);
  }
  return actor;
}
