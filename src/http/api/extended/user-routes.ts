/**
 * Who am I (`GET /v1/users/me`), every user's figures (`GET /v1/users`, superuser: jobs by
 * state and CPU-seconds), and a user's own API keys (`/v1/users/me/keys`). Keys cannot be made
 * with a key (or a token obtained with one): a leaked key must not be able to mint others.
 */
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { AppError, validationError } from '../../../errors.js';
import { parseDuration } from '../../../lib/parse.js';
import type { ApiKeyRecord } from '../../../model/api-key.js';
import { emptyFigures } from '../../../domain/owner-figures.js';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { standardError } from '../../error-schemas.js';
import type { ExtendedDeps } from './context.js';
import { apiKeyListSchema, newApiKeySchema, newKeyBody, usersListSchema, whoAmISchema } from './user-schemas.js';

function presentKey(key: ApiKeyRecord): Record<string, unknown> {
  return { name: key.name, prefix: key.prefix, read_only: key.readOnly, created_at: key.createdAt, expires_at: key.expiresAt, last_used_at: key.lastUsedAt };
}

function whoAmI(ctx: ParameterizedContext<AppState>, name: string, superuser: boolean): Record<string, unknown> {
  const credential = ctx.state.credential;
  const base = { name, role: superuser ? 'superuser' : 'user' };
  switch (credential?.kind) {
    case 'bearer':
      return { ...base, credential: 'token', expires_at: credential.expiresAt, read_only: credential.readOnly, api_key: null };
    case 'session':
      return { ...base, credential: 'session', expires_at: credential.expiresAt, read_only: false, api_key: null };
    case 'api_key':
      return { ...base, credential: 'api_key', expires_at: credential.expiresAt, read_only: credential.readOnly, api_key: credential.keyName };
    default:
      return { ...base, credential: 'none', expires_at: null, read_only: false, api_key: null };
  }
}

export function userRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/users/me',
    summary: 'Who am I: name, role, and when this credential expires',
    tags: ['users'],
    access: 'user',
    noStore: true,
    responses: { 200: { description: 'The caller', schema: whoAmISchema } },
  }, async (ctx, { actor }) => {
    ctx.body = whoAmI(ctx, actor.name, actor.superuser);
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/users',
    summary: 'Every user with their jobs by state and CPU-seconds used (superuser)',
    description: 'Registered users, and owners of jobs who are none (role null). CPU-seconds are cores × runtime, running jobs counted up to now.',
    tags: ['users'],
    access: 'superuser',
    admin: true,
    responses: { 200: { description: 'The users', schema: usersListSchema } },
  }, async (ctx) => {
    const figures = deps.services.figures.byOwner();
    const roles = new Map<string, 'superuser' | 'user' | null>(deps.auth.users.list().map((user) => [user.name, user.role]));
    for (const owner of figures.keys()) {
      if (!roles.has(owner)) {
        roles.set(owner, null);
      }
    }
    ctx.body = {
      users: [...roles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, role]) => {
        const own = figures.get(name) ?? emptyFigures();
        return { name, role, jobs: own.jobs, jobs_total: own.total, cpu_seconds: Math.round(own.cpuSeconds * 1000) / 1000 };
      }),
    };
  });

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/users/me/keys',
    summary: 'Your API keys (never the keys themselves)',
    tags: ['users'],
    access: 'user',
    responses: { 200: { description: 'The keys', schema: apiKeyListSchema }, 404: { description: 'Not a registered user (auth is off)', schema: standardError } },
  }, async (ctx, { actor }) => {
    ctx.body = { keys: deps.auth.apiKeys.list(actor.name).map(presentKey) };
  });

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/users/me/keys',
    summary: 'Create an API key; the answer holds the key, shown only this once',
    tags: ['users'],
    access: 'user',
    noStore: true,
    body: newKeyBody,
    responses: {
      201: { description: 'The new key', schema: newApiKeySchema },
      403: { description: 'Asked with an API key (or a token obtained with one), or a read-only credential', schema: standardError },
      404: { description: 'Not a registered user (auth is off)', schema: standardError },
      409: { description: 'You already have a key of that name', schema: standardError },
    },
  }, async (ctx, { actor, body }) => {
    const credential = ctx.state.credential;
    if (credential?.kind === 'api_key' || (credential?.kind === 'bearer' && credential.viaApiKey)) {
      throw new AppError(403, 'FORBIDDEN', 'API keys cannot create API keys: sign in with your password');
    }
    const expiresInSeconds = body.expires === undefined ? null : parseDuration(body.expires);
    if (expiresInSeconds === undefined) {
      throw validationError([{ field: 'expires', message: 'must be a duration such as 90d, 12h or 30m' }]);
    }
    const created = deps.auth.apiKeys.create(actor.name, body.name, { readOnly: body.read_only ?? false, expiresInSeconds });
    ctx.status = 201;
    ctx.body = { ...presentKey(created.record), key: created.key };
  });

  defineRoute(router, catalog, {
    method: 'delete',
    path: '/v1/users/me/keys/:name',
    summary: 'Revoke one of your API keys (and every token obtained with it)',
    tags: ['users'],
    access: 'user',
    pathParams: { name: 'The key\'s name' },
    responses: { 200: { description: 'Revoked', schema: apiKeyListSchema }, 404: { description: 'No key of that name', schema: standardError } },
  }, async (ctx, { actor }) => {
    deps.auth.apiKeys.revoke(actor.name, ctx.params.name ?? '');
    ctx.body = { keys: deps.auth.apiKeys.list(actor.name).map(presentKey) };
  });

  return router;
}
