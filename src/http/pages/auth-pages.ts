/**
 * Signing in and out in a browser: `GET/POST /login`, `POST /logout`, `GET /account`. A
 * successful login opens a server-side session and sets the `jobgate_session` cookie
 * (HttpOnly, SameSite=Lax, Secure over https); with it pages and the API work without the
 * Bearer handshake. The login form carries its own CSRF token (a short-lived cookie, echoed in
 * the form) so no other site can sign a browser in; once signed in, the session's token
 * protects every form.
 */
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { AuthService } from '../../auth/auth-service.js';
import { secretsEqual } from '../../auth/passwords.js';
import { newSecret } from '../../auth/sessions.js';
import type { AppState } from '../state.js';
import { clearCookie, LOGIN_CSRF_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../cookies.js';
import { CSRF_FIELD } from '../middleware/csrf.js';
import { pageActor, safeNext } from './page-auth.js';
import type { PageRenderer } from './render.js';

export interface AuthPagesDeps {
  auth: AuthService;
  render: PageRenderer;
  authRequired: boolean;
}

const LOGIN_FORM_SECONDS = 3600;

function field(ctx: ParameterizedContext, name: string): string {
  const body: unknown = (ctx.request as { body?: unknown }).body;
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

export function authPagesRoutes(deps: AuthPagesDeps): Router<AppState> {
  const router = new Router<AppState>();

  const showLogin = (ctx: ParameterizedContext<AppState>, next: string, status: number, error: string | null, username = ''): void => {
    const token = newSecret();
    setCookie(ctx, LOGIN_CSRF_COOKIE, token, { maxAgeSeconds: LOGIN_FORM_SECONDS, path: '/login', sameSite: 'Strict' });
    deps.render(ctx, 'login.njk', { title: 'Sign in', next, error, username }, { csrfToken: token });
    ctx.status = status;
  };

  router.get('/login', async (ctx) => {
    const next = safeNext(ctx.query.next);
    if (!deps.authRequired || ctx.state.actor !== undefined) {
      ctx.status = 303;
      ctx.redirect(next);
      return;
    }
    showLogin(ctx, next, 200, null);
  });

  router.post('/login', async (ctx) => {
    const next = safeNext(field(ctx, 'next'));
    if (!deps.authRequired) {
      ctx.status = 303;
      ctx.redirect(next);
      return;
    }
    const username = field(ctx, 'username');
    const expected = readCookie(ctx, LOGIN_CSRF_COOKIE);
    if (expected === undefined || !secretsEqual(field(ctx, CSRF_FIELD), expected)) {
      showLogin(ctx, next, 403, 'The sign-in form expired or did not come from this site. Please try again.', username);
      return;
    }
    const outcome = await deps.auth.passwordLogin(ctx.ip, username, field(ctx, 'password'));
    if (!outcome.ok) {
      if (outcome.retryAfter > 0) {
        ctx.set('Retry-After', String(outcome.retryAfter));
        showLogin(ctx, next, 429, `Too many failed attempts. Try again in ${outcome.retryAfter} seconds.`, username);
      } else {
        showLogin(ctx, next, 400, 'Incorrect user name or password.', username);
      }
      return;
    }
    const previous = readCookie(ctx, SESSION_COOKIE);
    if (previous !== undefined) {
      // A fresh id on every login (session fixation).
      deps.auth.closeSession(previous);
    }
    const session = deps.auth.openSession(outcome.user);
    setCookie(ctx, SESSION_COOKIE, session.id, { maxAgeSeconds: session.maxAgeSeconds, path: '/', sameSite: 'Lax' });
    clearCookie(ctx, LOGIN_CSRF_COOKIE, '/login');
    ctx.status = 303;
    ctx.redirect(next);
  });

  // POST only: a link or an <img> elsewhere can never sign anyone out. With a session, the CSRF middleware has checked the token.
  router.post('/logout', async (ctx) => {
    const credential = ctx.state.credential;
    if (credential?.kind === 'session') {
      if (field(ctx, 'everywhere') !== '' && ctx.state.actor !== undefined) {
        deps.auth.revokeEverything(ctx.state.actor.name);
      } else {
        deps.auth.closeSession(credential.id);
      }
    }
    clearCookie(ctx, SESSION_COOKIE, '/');
    ctx.status = 303;
    ctx.redirect(deps.authRequired ? '/login' : '/');
  });

  router.get('/account', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    deps.render(ctx, 'account.njk', { title: 'Account', viaSession: ctx.state.credential?.kind === 'session' });
  });

  return router;
}
