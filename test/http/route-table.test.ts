/**
 * What a route declares is what it does: the error shape the OpenAPI document gives every
 * operation (read from the same declaration the middleware reads) is the shape of its real
 * errors, whether thrown before routing (an oversized query string), by its access check, or
 * by the route itself (an unknown job or template). Paths no route declares answer JSON under
 * the API's prefixes and an HTML page to a browser elsewhere.
 */
import test from 'ava';
import type { Response } from 'supertest';
import { bearer, fetchToken, startAuthServer } from '../helpers/auth.js';

type Shape = 'standard' | 'compat';
interface Operation {
  responses: Record<string, unknown>;
  security?: unknown[];
}
type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The one error shape is exactly `{"error": {...}}`; every compatible body has other keys. */
function shapeOf(answer: Response): Shape {
  const body: unknown = answer.body;
  return typeof body === 'object' && body !== null && Object.keys(body).join(',') === 'error' ? 'standard' : 'compat';
}

function documentedShape(operation: Operation): Shape {
  return JSON.stringify(operation.responses.default).includes('#/components/schemas/StandardError') ? 'standard' : 'compat';
}

/** A path of the document with its parameters filled by values that name nothing. */
function concrete(path: string): string {
  return path.replace('{jobid}', '123456789').replace('{name}', 'no-such-template').replace(/\{[^}]+\}/g, 'x');
}

test('every operation answers its errors in the shape its declaration documents', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const token = await fetchToken(server);
  const document = (await server.request.get('/openapi.json')).body as { paths: Record<string, Record<Verb, Operation>> };
  const seen: Record<Shape, number> = { standard: 0, compat: 0 };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [verb, operation] of Object.entries(operations) as [Verb, Operation][]) {
      const name = `${verb.toUpperCase()} ${path}`;
      const documented = documentedShape(operation);
      seen[documented] += 1;
      const url = concrete(path);

      // Refused before any route runs: the route table must know the route.
      const oversized = await server.request[verb](`${url}?q=${'x'.repeat(40 * 1024)}`).set(bearer(token));
      t.is(oversized.status, 413, name);
      t.is(shapeOf(oversized), documented, `${name}: 413`);

      if ((operation.security ?? []).length > 0) {
        const anonymous = await server.request[verb](url);
        t.is(anonymous.status, 401, name);
        t.is(shapeOf(anonymous), documented, `${name}: 401`);
      }

      if (path.includes('{')) {
        const unknown = await server.request[verb](url).set(bearer(token)).send({});
        t.true(unknown.status >= 400 && unknown.status < 500, `${name}: ${unknown.status}`);
        t.is(shapeOf(unknown), documented, `${name}: ${unknown.status}`);
      }
    }
  }
  // Both shapes are in use, so neither half of this test is empty.
  t.true(seen.standard >= 20, JSON.stringify(seen));
  t.true(seen.compat >= 15, JSON.stringify(seen));
});

test('unknown paths under the API answer JSON in their space\'s shape; unknown pages answer HTML to a browser', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  const v1 = await server.request.get('/v1/no-such-thing').set('Accept', browser);
  t.is(v1.status, 404);
  t.regex(v1.headers['content-type'] ?? '', /application\/json/);
  t.is(shapeOf(v1), 'compat');

  const meta = await server.request.get('/meta/no-such-thing').set('Accept', browser);
  t.is(meta.status, 404);
  t.regex(meta.headers['content-type'] ?? '', /application\/json/);
  // What is refused before routing there has the one shape of the routes /meta holds.
  const metaOversized = await server.request.get(`/meta/no-such-thing?q=${'x'.repeat(40 * 1024)}`).set('Accept', browser);
  t.is(metaOversized.status, 413);
  t.is(shapeOf(metaOversized), 'standard');
  const v1Oversized = await server.request.get(`/v1/no-such-thing?q=${'x'.repeat(40 * 1024)}`).set('Accept', browser);
  t.is(v1Oversized.status, 413);
  t.is(shapeOf(v1Oversized), 'compat');

  const page = await server.request.get('/no-such-page').set('Accept', browser);
  t.is(page.status, 404);
  t.regex(page.headers['content-type'] ?? '', /text\/html/);
  t.regex(page.text, /404/);

  // The same unknown page asked for by an API client is JSON.
  const asJson = await server.request.get('/no-such-page').set('Accept', 'application/json');
  t.is(asJson.status, 404);
  t.regex(asJson.headers['content-type'] ?? '', /application\/json/);

  // A declared API route never answers its errors as a page, even to a browser.
  const job = await server.request.get('/v1/jobs/123456789').set('Accept', browser);
  t.is(job.status, 401);
  t.regex(job.headers['content-type'] ?? '', /application\/json/);
});
