/**
 * Getting an access token, as flux-restful-api's clients do: `POST /v1/token` (the Python
 * client's handshake: a JWT signed with FLUX_SECRET_KEY holding the user name and password)
 * and `POST /v1/login/access-token` (the OAuth2 password form). `/v1/token` never answers 401
 * (the Python client would retry it forever); every refusal is `400 {"Message": "Denied"}`.
 * Both are throttled after repeated failures (429 + Retry-After).
 */
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { LoginOutcome } from '../../../auth/auth-service.js';
import { tokenFromHeader } from '../../../auth/token-request.js';
import type { AppState } from '../../state.js';
import { requireActor } from '../../middleware/auth.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { MISSING_MESSAGE, parseWith } from '../../validation.js';
import type { ApiDeps } from './context.js';
import { accessToken } from './responses.js';
import { detailError, messageBody, tooManyAttempts as tooManyAttemptsBody } from '../../error-schemas.js';

function formField(maxLength: number): z.ZodType<string> {
  return z.preprocess(
    (value) => (Array.isArray(value) ? value[value.length - 1] : value),
    z.string({ error: (issue) => (issue.input === undefined ? MISSING_MESSAGE : 'Input should be a valid string') }).max(maxLength),
  ) as z.ZodType<string>;
}

/** OAuth2 password grant form (RFC 6749 §4.3), as FastAPI's OAuth2PasswordRequestForm reads it. */
export const passwordForm = z.object({
  username: formField(256).meta({ description: 'User name' }),
  password: formField(1024).meta({ description: 'Password' }),
  grant_type: z.literal('password', { error: "String should match pattern '^password$'" }).optional().meta({ description: 'Must be "password" when given' }),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

/**
 * OAuth2 client credentials grant (RFC 6749 §4.4) for automation: an API key as client_secret
 * (client_id, if given, is ignored: the key names its user). The token is read-only if the key
 * is, ends with the key at the latest, and is revoked with it.
 */
export const clientCredentialsForm = z.object({
  grant_type: z.literal('client_credentials'),
  client_secret: formField(256).meta({ description: 'An API key (`jg_...`)' }),
  client_id: z.string().optional(),
  scope: z.string().optional(),
});

function lastValue(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function tooManyAttempts(retryAfter: number, body: Record<string, string>): AppError {
  return new AppError(429, 'RATE_LIMIT_EXCEEDED', `Too many failed attempts; retry in ${retryAfter} s`)
    .withHeaders({ 'Retry-After': String(retryAfter) })
    .withBody({ ...body, detail: `Too many failed attempts; retry in ${retryAfter} s` });
}

export function tokenRoutes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  const answerWithToken = async (ctx: ParameterizedContext<AppState>, outcome: Extract<LoginOutcome, { ok: true }>): Promise<void> => {
    const issued = await deps.auth.issueToken(outcome.user);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
  };

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'requestToken',
    path: '/v1/token',
    summary: 'Exchange a signed token request for an access token (flux-restful-client handshake)',
    description:
      'Authorization header: `Bearer <JWT>` (any scheme word, or none), the JWT signed HS256 with FLUX_SECRET_KEY and holding `{"user", "pass", "scope": "token"}`. ' +
      'Answers `{"access_token", "token_type": "Bearer", "expires_in"}`; the access token is signed with a key only the server has and expires.',
    tags: ['auth'],
    access: 'public',
    responses: {
      200: { description: 'An access token', schema: accessToken },
      400: { description: '`{"Message": "Denied"}`: no or undecodable request, wrong secret, user or password', schema: messageBody },
      429: { description: 'Too many failed attempts', schema: tooManyAttemptsBody, headers: { 'Retry-After': 'Seconds to wait' } },
    },
  }, async (ctx) => {
    const outcome = await deps.auth.tokenRequestLogin(ctx.ip, tokenFromHeader(ctx.get('Authorization')));
    if (!outcome.ok) {
      throw outcome.retryAfter > 0
        ? tooManyAttempts(outcome.retryAfter, { Message: 'Denied' })
        : new AppError(400, 'UNAUTHENTICATED', 'Denied').withBody({ Message: 'Denied' });
    }
    await answerWithToken(ctx, outcome);
  });

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'loginForAccessToken',
    path: '/v1/login/access-token',
    summary: 'OAuth2 password login',
    description:
      'Form fields `username`, `password` (and optionally `grant_type=password`); or `grant_type=client_credentials` with an API key as `client_secret`. ' +
      'Answers `{"access_token", "token_type": "Bearer", "expires_in"}`.',
    tags: ['auth'],
    access: 'public',
    body: z.union([passwordForm, clientCredentialsForm]),
    bodyHandledByRoute: true,
    bodyTypes: ['application/x-www-form-urlencoded'],
    responses: {
      200: { description: 'An access token', schema: accessToken },
      400: { description: '`{"detail": "Incorrect email or password"}`, or an unknown, expired or revoked API key', schema: detailError },
      429: { description: 'Too many failed attempts', schema: tooManyAttemptsBody, headers: { 'Retry-After': 'Seconds to wait' } },
    },
  }, async (ctx, { body: rawBody }) => {
    const fields = (typeof rawBody === 'object' && rawBody !== null ? rawBody : {}) as Record<string, unknown>;
    if (lastValue(fields.grant_type) === 'client_credentials') {
      const form = parseWith(clientCredentialsForm, { ...fields, grant_type: 'client_credentials' }, 'body');
      const keyOutcome = await deps.auth.apiKeyLogin(ctx.ip, form.client_secret);
      if (!keyOutcome.ok) {
        throw keyOutcome.retryAfter > 0
          ? tooManyAttempts(keyOutcome.retryAfter, {})
          : new AppError(400, 'UNAUTHENTICATED', 'Unknown, expired or revoked API key').withBody({ detail: 'Unknown, expired or revoked API key' });
      }
      const issued = await deps.auth.issueKeyToken(keyOutcome);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
      return;
    }
    const body = parseWith(passwordForm, fields, 'body');
    const outcome = await deps.auth.passwordLogin(ctx.ip, body.username, body.password);
    if (!outcome.ok) {
      throw outcome.retryAfter > 0
        ? tooManyAttempts(outcome.retryAfter, {})
        : new AppError(400, 'UNAUTHENTICATED', 'Incorrect email or password').withBody({ detail: 'Incorrect email or password' });
    }
    await answerWithToken(ctx, outcome);
  });

  defineRoute(router, catalog, {
    method: 'post',
    operationId: 'revokeToken',
    path: '/v1/token/revoke',
    summary: 'Revoke the access token this request carries',
    description: 'After this the token is refused everywhere (401). Browser sessions end with `POST /logout` instead.',
    tags: ['auth'],
    access: 'user',
    responses: { 200: { description: 'Revoked', schema: messageBody }, 400: { description: 'The request carries no Bearer token', schema: detailError } },
  }, async (ctx) => {
    requireActor(ctx);
    const credential = ctx.state.credential;
    if (credential?.kind !== 'bearer') {
      const message = 'This request carries no Bearer access token to revoke';
      throw new AppError(400, 'VALIDATION_ERROR', message).withBody({ detail: message });
    }
    deps.auth.revokeToken(credential.jti);
    ctx.body = { Message: 'Token revoked.' };
  });

  return router;
}
