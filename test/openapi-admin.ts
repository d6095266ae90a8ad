/**
 * The OpenAPI conformance calls of `/v1/users`, `/v1/users/me/keys`, the API-key login and
 * `/v1/jobs/purge` (see openapi.test.ts): successes and the errors they document, each checked
 * against the served document.
 */
import type { ExecutionContext } from 'ava';
import { bearer } from './helpers/auth.js';
import { idOf } from './helpers/openapi-calls.js';
import type { Callers } from './openapi-extended.js';

export async function checkUsers(t: ExecutionContext, { api, su, alice }: Callers): Promise<void> {
  t.is((await api.call(t, 'GET', '/v1/users/me', '/v1/users/me', { headers: alice })).status, 200);
  t.is((await api.call(t, 'GET', '/v1/users/me', '/v1/users/me')).status, 401);
  t.is((await api.call(t, 'GET', '/v1/users', '/v1/users', { headers: su })).status, 200);
  t.is((await api.call(t, 'GET', '/v1/users', '/v1/users', { headers: alice })).status, 403);

  const keys = '/v1/users/me/keys';
  const created = await api.call(t, 'POST', keys, keys, { headers: alice, json: { name: 'reader', read_only: true, expires: '1d' } });
  t.is(created.status, 201);
  const key = (JSON.parse(created.text) as { key: string }).key;
  t.is((await api.call(t, 'POST', keys, keys, { headers: alice, json: { name: 'reader' } })).status, 409);
  t.is((await api.call(t, 'POST', keys, keys, { headers: alice, json: { name: 'other', expires: 'soon' } })).status, 400);
  t.is((await api.call(t, 'POST', keys, keys, { headers: { 'X-API-Key': key }, json: { name: 'minted' } })).status, 403);
  t.is((await api.call(t, 'GET', keys, keys, { headers: bearer(key) })).status, 200);

  const login = '/v1/login/access-token';
  const token = await api.call(t, 'POST', login, login, { form: { grant_type: 'client_credentials', client_secret: key } });
  t.is(token.status, 200);
  t.is((await api.call(t, 'POST', login, login, { form: { grant_type: 'client_credentials', client_secret: 'jg_nothing' } })).status, 400);
  t.is((await api.call(t, 'POST', login, login, { form: { grant_type: 'client_credentials' } })).status, 422);

  t.is((await api.call(t, 'DELETE', `${keys}/:name`, `${keys}/reader`, { headers: alice })).status, 200);
  t.is((await api.call(t, 'DELETE', `${keys}/:name`, `${keys}/reader`, { headers: alice })).status, 404);
}

export async function checkPurge(t: ExecutionContext, { api, su, alice, reached }: Callers): Promise<void> {
  const id = idOf(await api.call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice, json: { command: ['true'] } }));
  await reached(id);
  await api.call(t, 'POST', '/v1/jobs/:jobid/tags', `/v1/jobs/${id}/tags`, { headers: alice, json: { tags: ['purge:me'] } });
  const route = '/v1/jobs/purge';
  const dry = await api.call(t, 'POST', route, route, { headers: su, query: { tag: 'purge:me', dry_run: 'true' } });
  t.is((JSON.parse(dry.text) as { jobs: number }).jobs, 1);
  t.is((await api.call(t, 'POST', route, route, { headers: su, query: { tag: 'purge:me', 'ended[to]': 'never' } })).status, 400);
  t.is((await api.call(t, 'POST', route, route, { headers: su })).status, 400);
  t.is((await api.call(t, 'POST', route, route, { headers: alice, query: { tag: 'purge:me' } })).status, 403);
  const done = await api.call(t, 'POST', route, route, { headers: su, query: { tag: 'purge:me' } });
  t.is((JSON.parse(done.text) as { jobs: number }).jobs, 1);
  t.is((await api.call(t, 'GET', '/v1/jobs/:jobid', `/v1/jobs/${id}`, { headers: alice })).status, 404);
}
