/**
 * Rendering a page with what every page's layout needs to know about the caller: whether auth
 * is on, who is signed in, and the CSRF token that forms (`{% include "partials/csrf-field.njk" %}`)
 * and scripts (`<meta name="csrf-token">`, sent back as the X-CSRF-Token header) must echo.
 */
import type { ParameterizedContext } from 'koa';
import type { Environment } from 'nunjucks';
import type { AppState } from '../state.js';

export interface PageAuth {
  /** Auth is on: show who is signed in, and sign-in / sign-out. */
  enabled: boolean;
  user: { name: string; superuser: boolean } | null;
  /** The token forms and scripts send back (null when there is nothing to protect). */
  csrfToken: string | null;
}

export type PageRenderer = (ctx: ParameterizedContext<AppState>, template: string, data?: Record<string, unknown>, overrides?: Partial<PageAuth>) => void;

export function pageAuthOf(ctx: ParameterizedContext<AppState>, enabled: boolean): PageAuth {
  const actor = ctx.state.actor;
  const credential = ctx.state.credential;
  return {
    enabled,
    user: actor === undefined ? null : { name: actor.name, superuser: actor.superuser },
    csrfToken: credential?.kind === 'session' ? credential.csrfToken : null,
  };
}

/** Renders `template` as the response (HTML, not cached: pages show who is signed in). */
export function pageRenderer(views: Environment, authEnabled: boolean): PageRenderer {
  return (ctx, template, data = {}, overrides = {}) => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = views.render(template, { ...data, auth: { ...pageAuthOf(ctx, authEnabled), ...overrides } });
  };
}
