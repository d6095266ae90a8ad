/**
 * The OpenAPI conformance calls of the routes beyond flux-restful-api's (see openapi.test.ts):
 * each operation answered with a success and with the errors it documents, every answer checked
 * against the served document, and the data of `/v1/events` against its named schemas.
 */
import type { ExecutionContext } from 'ava';
import { parseJsonLossless } from '../src/lib/json.js';
import { forValidator } from './helpers/openapi-check.js';
import { CheckedApi, idOf, type FetchedAnswer } from './helpers/openapi-calls.js';
import { startTestServer } from './helpers/test-server.js';

export interface Callers {
  api: CheckedApi;
  su: Record<string, string>;
  alice: Record<string, string>;
  bob: Record<string, string>;
  /** Waits for a job to reach one of these states. */
  reached(id: string, states?: readonly string[]): Promise<void>;
}

type T = ExecutionContext;

function errorCode(answer: FetchedAnswer): string {
  return (JSON.parse(answer.text) as { error: { code: string } }).error.code;
}

async function submit(t: T, { api, alice }: Callers, json: Record<string, unknown>): Promise<string> {
  return idOf(await api.call(t, 'POST', '/v1/jobs/submit', '/v1/jobs/submit', { headers: alice, json }));
}

/** A 200 asked for again with its ETag: a 304 without a body. */
async function notModified(t: T, api: CheckedApi, route: string, path: string, first: FetchedAnswer, headers: Record<string, string>): Promise<void> {
  const etag = first.headers.get('ETag');
  t.truthy(etag, `${path} has an ETag`);
  const again = await api.call(t, 'GET', route, path, { headers: { ...headers, 'If-None-Match': etag ?? '' } });
  t.is(again.status, 304);
  t.is(again.text, '');
}

export async function checkMeta(t: T, { api, alice }: Callers): Promise<void> {
  const ping = await api.call(t, 'GET', '/ping', '/ping');
  t.is(ping.text, 'pong');
  t.is((await api.call(t, 'GET', '/meta/versions/supported', '/meta/versions/supported')).status, 200);
  const latest = await api.call(t, 'GET', '/meta/versions/latest', '/meta/versions/latest');
  t.is(latest.status, 200);
  await notModified(t, api, '/meta/versions/latest', '/meta/versions/latest', latest, {});
  t.is((await api.call(t, 'GET', '/meta/info', '/meta/info', { headers: alice })).status, 200);
  const anonymous = await api.call(t, 'GET', '/meta/info', '/meta/info');
  t.is(anonymous.status, 401);
  t.is(errorCode(anonymous), 'UNAUTHENTICATED');
}

export async function checkExportAndQuery(t: T, callers: Callers): Promise<void> {
  const { api, alice } = callers;
  const id = await submit(t, callers, { command: ['true'], job_name: 'listed' });
  await callers.reached(id);
  await api.call(t, 'POST', '/v1/jobs/:jobid/tags', `/v1/jobs/${id}/tags`, { headers: alice, json: { tags: ['project:listing'] } });
  await api.call(t, 'PATCH', '/v1/jobs/:jobid/metadata', `/v1/jobs/${id}/metadata`, { headers: alice, json: { run: '7' } });

  const route = '/v1/jobs/query';
  const filtered = await api.call(t, 'GET', route, route, { headers: alice, query: { state: 'inactive', result: 'completed', tag: 'project:listing', 'meta[run]': '7', sort: '-t_submit,name', limit: '5', 'submitted[from]': '2000-01-01T00:00:00Z' } });
  const page = parseJsonLossless(filtered.text) as { total: number; items: { id: number | bigint; tags: unknown[] }[] };
  t.is(page.total, 1);
  t.is(String(page.items[0]?.id), id);
  t.deepEqual(page.items[0]?.tags, [{ type: 'project', name: 'listing' }]);
  const paged = await api.call(t, 'GET', route, route, { headers: alice, query: { page: '2', items_per_page: '1', held: 'false' } });
  t.is(paged.status, 200);
  await notModified(t, api, route, `${route}?page=2&items_per_page=1&held=false`, paged, alice);
  t.is(errorCode(await api.call(t, 'GET', route, route, { headers: alice, query: { colour: 'red' } })), 'VALIDATION_ERROR');
  t.is((await api.call(t, 'GET', route, route, { headers: alice, query: { sort: 'shoe_size' } })).status, 400);
  t.is((await api.call(t, 'GET', route, route, { headers: alice, query: { limit: 'many' } })).status, 400);
  t.is(errorCode(await api.call(t, 'GET', route, route)), 'UNAUTHENTICATED');

  const exported = '/v1/jobs/export';
  const csv = await api.call(t, 'GET', exported, exported, { headers: alice, query: { tag: 'project:listing', fields: 'id,name,state,tags' } });
  t.is(csv.text.split('\r\n')[0], 'id,name,state,tags');
  const json = await api.call(t, 'GET', exported, exported, { headers: alice, query: { format: 'json', times: 'iso', fields: 'id,t_submit', name: 'listed' } });
  t.is(String((parseJsonLossless(json.text) as { id: number | bigint }[])[0]?.id), id);
  const lines = await api.call(t, 'GET', exported, exported, { headers: alice, query: { format: 'ndjson', name: 'listed' } });
  t.is(lines.text.trim().split('\n').length, 1);
  t.is((await api.call(t, 'GET', exported, exported, { headers: alice, query: { fields: 'id,shoe_size' } })).status, 400);
}

export async function checkControl(t: T, callers: Callers): Promise<void> {
  const { api, alice, bob } = callers;
  // Urgency 0 at submit: held from the start, so it stays pending for as long as needed.
  const held = await submit(t, callers, { command: ['sleep', '60'], urgency: 0, job_name: 'held' });
  const hold = '/v1/jobs/:jobid/hold';
  const answer = await api.call(t, 'PUT', hold, `/v1/jobs/${held}/hold`, { headers: alice, json: { reason: 'maintenance' } });
  t.like(JSON.parse(answer.text), { held: true, urgency: 0, hold: { reason: 'maintenance', held_by: 'alice' } });
  t.like(JSON.parse((await api.call(t, 'GET', '/v1/jobs/:jobid', `/v1/jobs/${held}`, { headers: alice })).text), { held: true, hold: { reason: 'maintenance' } });
  t.is(errorCode(await api.call(t, 'PUT', '/v1/jobs/:jobid/release', `/v1/jobs/${held}/release`, { headers: bob })), 'RESOURCE_NOT_FOUND');
  t.is((await api.call(t, 'PUT', hold, '/v1/jobs/not-an-id/hold', { headers: alice, json: {} })).status, 400);
  const priority = '/v1/jobs/:jobid/priority';
  t.is(errorCode(await api.call(t, 'PUT', priority, `/v1/jobs/${held}/priority`, { headers: alice, json: { urgency: 99 } })), 'VALIDATION_ERROR');
  t.is((await api.call(t, 'PUT', priority, `/v1/jobs/${held}/priority`, { headers: alice, json: { urgency: 'hold' } })).status, 200);

  const bulk = '/v1/jobs/bulk';
  const dry = await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'release', job_ids: [held], dry_run: true } });
  t.like(JSON.parse(dry.text), { dry_run: true, summary: { requested: 1, succeeded: 1, changed: 0 } });
  const byFilter = await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'hold', filter: { state: ['pending'], name: ['held'] }, dry_run: true } });
  t.like(JSON.parse(byFilter.text), { summary: { requested: 0 } }, 'a held job is not selected for hold');
  t.is((await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'hold' } })).status, 400);
  t.is((await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'hold', filter: {} } })).status, 400);
  t.is((await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'fly', job_ids: [held] } })).status, 400);

  // Released, it starts: now it can neither be held nor reprioritized (409), in bulk neither.
  t.like(JSON.parse((await api.call(t, 'PUT', '/v1/jobs/:jobid/release', `/v1/jobs/${held}/release`, { headers: alice })).text), { held: false, changed: true });
  await callers.reached(held, ['RUN']);
  t.is(errorCode(await api.call(t, 'PUT', hold, `/v1/jobs/${held}/hold`, { headers: alice, json: {} })), 'RESOURCE_CONFLICT');
  t.is((await api.call(t, 'PUT', priority, `/v1/jobs/${held}/priority`, { headers: alice, json: { urgency: 'expedite' } })).status, 409);
  const refused = await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'hold', job_ids: [held, '12345'] } });
  t.like(JSON.parse(refused.text), { summary: { failed: 2, errors: { RESOURCE_CONFLICT: 1, RESOURCE_NOT_FOUND: 1 } } });
  const canceled = await api.call(t, 'POST', bulk, bulk, { headers: alice, json: { action: 'cancel', job_ids: [held], reason: 'done testing' } });
  t.like(JSON.parse(canceled.text), { summary: { changed: 1 } });
  await callers.reached(held);
}

export async function checkLabels(t: T, callers: Callers): Promise<void> {
  const { api, alice, bob } = callers;
  const id = await submit(t, callers, { command: ['true'] });
  const tags = '/v1/jobs/:jobid/tags';
  const added = await api.call(t, 'POST', tags, `/v1/jobs/${id}/tags`, { headers: alice, json: { tags: ['project:climate', 'urgent', { type: 'stage', name: 'two' }] } });
  t.is((JSON.parse(added.text) as { tags: unknown[] }).tags.length, 3);
  t.is((await api.call(t, 'POST', tags, `/v1/jobs/${id}/tags`, { headers: alice, json: { tags: ['bad type!:x'] } })).status, 400);
  t.is((await api.call(t, 'POST', tags, `/v1/jobs/${id}/tags`, { headers: bob, json: { tags: ['mine'] } })).status, 404);
  const removed = await api.call(t, 'DELETE', tags, `/v1/jobs/${id}/tags?tag=urgent`, { headers: alice });
  t.is((JSON.parse(removed.text) as { tags: unknown[] }).tags.length, 2);
  t.is((await api.call(t, 'DELETE', tags, `/v1/jobs/${id}/tags?tag=${encodeURIComponent('bad type!:x')}`, { headers: alice })).status, 400);

  const metadata = '/v1/jobs/:jobid/metadata';
  await api.call(t, 'PATCH', metadata, `/v1/jobs/${id}/metadata`, { headers: alice, json: { run: '2', gone: 'soon' } });
  const merged = await api.call(t, 'PATCH', metadata, `/v1/jobs/${id}/metadata`, { headers: alice, json: { gone: null, ticket: 'T-1' } });
  t.deepEqual(JSON.parse(merged.text).metadata, { run: '2', ticket: 'T-1' });
  const replaced = await api.call(t, 'PUT', metadata, `/v1/jobs/${id}/metadata`, { headers: alice, json: { only: 'this' } });
  t.deepEqual(JSON.parse(replaced.text).metadata, { only: 'this' });
  t.is(errorCode(await api.call(t, 'PATCH', metadata, `/v1/jobs/${id}/metadata`, { headers: alice, json: { 'bad key!': 'x' } })), 'VALIDATION_ERROR');
  t.is((await api.call(t, 'PUT', metadata, `/v1/jobs/${id}/metadata`, { headers: alice, json: '[1, 2]' })).status, 400);
  t.is((await api.call(t, 'PUT', metadata, `/v1/jobs/${id}/metadata`, { headers: bob, json: {} })).status, 404);

  const labels = '/v1/jobs/:jobid/labels';
  const read = await api.call(t, 'GET', labels, `/v1/jobs/${id}/labels`, { headers: alice });
  t.like(JSON.parse(read.text), { metadata: { only: 'this' }, held: false, hold: null });
  await notModified(t, api, labels, `/v1/jobs/${id}/labels`, read, alice);
  t.is((await api.call(t, 'GET', labels, `/v1/jobs/${id}/labels`, { headers: bob })).status, 404);
  t.is((await api.call(t, 'GET', labels, '/v1/jobs/zz/labels', { headers: alice })).status, 400);
  const inUse = JSON.parse((await api.call(t, 'GET', '/v1/tags', '/v1/tags', { headers: alice })).text) as { tags: { name: string }[] };
  t.true(inUse.tags.some((tag) => tag.name === 'climate'));
  t.false((JSON.parse((await api.call(t, 'GET', '/v1/tags', '/v1/tags', { headers: bob })).text) as { tags: { name: string }[] }).tags.some((tag) => tag.name === 'climate'), 'tags of jobs bob cannot see are not counted for him');
}

const GREET = {
  name: 'greet',
  description: 'Say hello',
  shared: true,
  parameters: {
    who: { type: 'string', required: true, description: 'Whom to greet' },
    times: { type: 'integer', default: 1, minimum: 1, maximum: 3 },
  },
  job: { command: 'echo hello {{who}}', num_tasks: '{{times}}' },
};

export async function checkTemplates(t: T, callers: Callers): Promise<void> {
  const { api, alice, bob } = callers;
  const list = '/v1/templates';
  const one = '/v1/templates/:name';
  t.is((await api.call(t, 'POST', list, list, { headers: alice, json: GREET })).status, 201);
  t.is(errorCode(await api.call(t, 'POST', list, list, { headers: alice, json: GREET })), 'RESOURCE_CONFLICT');
  const bad = await api.call(t, 'POST', list, list, { headers: alice, json: { name: 'broken', job: { command: 'echo {{nope}}' } } });
  t.is(bad.status, 400);
  t.is((await api.call(t, 'GET', list, list, { headers: bob })).status, 200);
  const read = await api.call(t, 'GET', one, '/v1/templates/greet', { headers: bob });
  t.is(read.status, 200);
  await notModified(t, api, one, '/v1/templates/greet', read, bob);
  t.is((await api.call(t, 'GET', one, '/v1/templates/nope', { headers: alice })).status, 404);
  const changed = await api.call(t, 'PUT', one, '/v1/templates/greet', { headers: alice, json: { ...GREET, description: 'Say hello, again' } });
  t.like(JSON.parse(changed.text), { revision: 2, description: 'Say hello, again' });
  t.is(errorCode(await api.call(t, 'PUT', one, '/v1/templates/greet', { headers: bob, json: GREET })), 'FORBIDDEN');
  const { name: _name, ...definition } = GREET;
  t.is((await api.call(t, 'PUT', one, '/v1/templates/nope', { headers: alice, json: definition })).status, 404);
  t.is((await api.call(t, 'PUT', one, '/v1/templates/greet', { headers: alice, json: { job: { command: [] } } })).status, 400);

  const submit = '/v1/templates/:name/submit';
  const submitted = await api.call(t, 'POST', submit, '/v1/templates/greet/submit', { headers: bob, json: { params: { who: 'bob', times: '2' }, tags: ['demo'], metadata: { ticket: 'T-2' } } });
  t.is(submitted.status, 201);
  t.like(JSON.parse(submitted.text), { params: { who: 'bob', times: 2 }, job: { owner: 'bob', ntasks: 2 } });
  const invalid = await api.call(t, 'POST', submit, '/v1/templates/greet/submit', { headers: bob, json: { params: { times: 9 } } });
  t.deepEqual((JSON.parse(invalid.text) as { error: { details: { field: string }[] } }).error.details.map((detail) => detail.field).sort(), ['params.times', 'params.who']);
  t.is((await api.call(t, 'POST', submit, '/v1/templates/nope/submit', { headers: bob, json: {} })).status, 404);

  t.is((await api.call(t, 'DELETE', one, '/v1/templates/greet', { headers: bob })).status, 403);
  t.is((await api.call(t, 'DELETE', one, '/v1/templates/greet', { headers: alice })).status, 204);
  t.is((await api.call(t, 'DELETE', one, '/v1/templates/greet', { headers: alice })).status, 404);
}

export async function checkEvents(t: T, callers: Callers): Promise<void> {
  const { api, alice } = callers;
  const id = await submit(t, callers, { command: ['true'], job_name: 'evented' });
  await callers.reached(id);
  const { answer, events } = await api.stream(t, '/v1/events', `/v1/events?since=all&job=${id}`, 'ready', { headers: alice });
  t.is(answer.status, 200);
  const schemas: Record<string, string> = { job: 'JobEvent', ready: 'EventPosition', checkpoint: 'EventPosition' };
  const jobEvents = events.filter((event) => event.event === 'job');
  t.true(jobEvents.length >= 9, `a whole job's events: ${jobEvents.length}`);
  t.is(events.at(-1)?.event, 'ready');
  for (const event of events) {
    const validate = api.checker.component(schemas[event.event] ?? 'missing');
    t.true(validate(forValidator(parseJsonLossless(event.data))), `${event.event} ${event.data} ${JSON.stringify(validate.errors)}`);
  }
  t.is(errorCode(await api.call(t, 'GET', '/v1/events', '/v1/events', { headers: alice, query: { since: 'yesterday' } })), 'VALIDATION_ERROR');
  t.is((await api.call(t, 'GET', '/v1/events', '/v1/events', { headers: alice, query: { state: 'sleeping' } })).status, 400);
}

/** A server limiting loopback clients too (the shared one does not), with its own document. */
export async function checkRateLimit(t: T): Promise<void> {
  const limited = await startTestServer({ env: { JOBGATE_RATE_LIMIT: '0.01', JOBGATE_RATE_LIMIT_BURST: '4', JOBGATE_RATE_LIMIT_LOOPBACK: 'true' } });
  t.teardown(() => limited.close());
  // The document is the first request (one token of the burst).
  const api = await CheckedApi.open(limited.url);
  t.is((await api.call(t, 'GET', '/ping', '/ping')).status, 200);
  t.is((await api.call(t, 'GET', '/v1/jobs/query', '/v1/jobs/query')).status, 200);
  t.is((await api.call(t, 'GET', '/v1/jobs', '/v1/jobs')).status, 200);
  for (const [route, path] of [['/ping', '/ping'], ['/v1/jobs', '/v1/jobs'], ['/v1/jobs/query', '/v1/jobs/query']] as const) {
    const refused = await api.call(t, 'GET', route, path);
    t.is(refused.status, 429);
    t.is(errorCode(refused), 'RATE_LIMIT_EXCEEDED');
    t.truthy(refused.headers.get('Retry-After'));
  }
}
