/**
 * Every route beyond flux-restful-api's is declared in the route catalog (which the OpenAPI
 * document is generated from) with a summary, and schemas for its answers and errors that
 * convert to JSON Schema.
 */
import test from 'ava';
import type { z } from 'zod';
import { ApiCatalog } from '../../src/http/route.js';
import { inputSchema, outputSchemas } from '../../src/http/openapi/json-schema.js';
import { extendedRoutes } from '../../src/http/api/extended/index.js';
import type { ExtendedDeps } from '../../src/http/api/extended/context.js';

// Route builders only keep references to the services; handlers never run here.
const stub = { labels: {}, control: {}, templates: {}, feed: {}, exports: {}, clock: {} };
const catalog = new ApiCatalog();
extendedRoutes({ config: {}, jobs: {}, services: stub, now: () => 0 } as unknown as ExtendedDeps, catalog);

const EXPECTED = [
  'GET /ping', 'GET /meta/versions/supported', 'GET /meta/versions/latest', 'GET /meta/info',
  'GET /v1/jobs/query', 'GET /v1/jobs/export', 'PUT /v1/jobs/:jobid/hold', 'PUT /v1/jobs/:jobid/release', 'PUT /v1/jobs/:jobid/priority',
  'POST /v1/jobs/bulk', 'GET /v1/jobs/:jobid/labels', 'POST /v1/jobs/:jobid/tags', 'DELETE /v1/jobs/:jobid/tags', 'PATCH /v1/jobs/:jobid/metadata',
  'PUT /v1/jobs/:jobid/metadata', 'GET /v1/tags', 'GET /v1/templates', 'POST /v1/templates', 'GET /v1/templates/:name', 'PUT /v1/templates/:name',
  'DELETE /v1/templates/:name', 'POST /v1/templates/:name/submit', 'GET /v1/events', 'GET /v1/jobs/:jobid/metrics', 'GET /v1/stats',
  'GET /v1/users/me', 'GET /v1/users', 'GET /v1/users/me/keys', 'POST /v1/users/me/keys', 'DELETE /v1/users/me/keys/:name',
  'POST /v1/jobs/purge',
];

test('every new route is in the catalog', (t) => {
  t.deepEqual(catalog.routes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort(), [...EXPECTED].sort());
});

test('each has a summary, a schema for its success answer, and error schemas where it documents errors', (t) => {
  for (const route of catalog.routes) {
    const name = `${route.method} ${route.path}`;
    t.truthy(route.summary, name);
    const success = Object.entries(route.responses).find(([status]) => Number(status) < 300);
    t.truthy(success, name);
    if (success !== undefined && Number(success[0]) !== 204) {
      t.truthy(success[1].schema, `${name} ${success[0]}`);
    }
    for (const [status, doc] of Object.entries(route.responses)) {
      if (Number(status) >= 400) t.truthy(doc.schema, `${name} ${status}`);
    }
  }
});

test('request and response schemas convert to JSON Schema (inputs as sent, answers as received)', (t) => {
  for (const route of catalog.routes) {
    for (const schema of [route.query, route.body].filter((input): input is z.ZodType => input !== undefined)) {
      t.notThrows(() => inputSchema(schema), `${route.method} ${route.path} (input)`);
    }
    const answers = Object.entries(route.responses).flatMap(([status, doc]) => (doc.schema === undefined ? [] : [[status, doc.schema] as const]));
    t.notThrows(() => outputSchemas(new Map(), new Map(answers)), `${route.method} ${route.path} (answers)`);
  }
});

test('the one error shape applies to exactly these routes\' paths', (t) => {
  const shapeOf = (method: string, path: string): string => catalog.match(method, path).errors;
  for (const route of catalog.routes) {
    const path = route.path.replace(/:[a-z]+/g, 'f2t6V2H');
    t.is(route.errors, 'standard', path);
    t.is(shapeOf(route.method, path), 'standard', path);
    // Another method on the same path (answered 405) keeps the route's shape.
    t.is(shapeOf(route.method === 'get' ? 'POST' : 'GET', path), 'standard', path);
  }
  t.is(shapeOf('GET', '/meta/unknown'), 'standard');
  for (const path of ['/', '/v1/jobs', '/v1/jobs/123', '/v1/jobs/search', '/v1/jobs/submit', '/v1/jobs/1/cancel', '/v1/jobs/1/output', '/v1/jobs/1/output/events', '/v1/nodes', '/v1/token', '/v1/service/stop', '/jobs', '/login']) {
    t.is(shapeOf('GET', path), 'compat', path);
  }
});
