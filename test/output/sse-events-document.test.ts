/**
 * What a follower of a real job gets over Server-Sent Events matches the API document: the
 * document names each event's data schema, and every event received is valid against it.
 */
import fs from 'node:fs';
import test from 'ava';
import { parseJsonLossless } from '../../src/lib/json.js';
import { jobOutputPaths } from '../../src/output/layout.js';
import { completeUtf8Length } from '../../src/output/utf8.js';
import { OpenApiChecker, forValidator } from '../helpers/openapi-check.js';
import { openSse, type SseEvent } from '../helpers/sse.js';
import { startTestServer, submitJob, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let checker: OpenApiChecker;
/** Event name → the component its data is, as the document's description of the route says. */
let schemaOf: Map<string, string>;

test.before(async () => {
  server = await startTestServer();
  const document = (await server.request.get('/openapi.json')).body as Record<string, unknown>;
  checker = new OpenApiChecker(document);
  const paths = document.paths as Record<string, Record<string, { description?: string }>>;
  const description = paths['/v1/jobs/{jobid}/output/events']?.get?.description ?? '';
  schemaOf = new Map([...description.matchAll(/`(\w+)` \(data: (\w+)/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
});
test.after.always(() => server.close());

function invalid(events: readonly SseEvent[]): string[] {
  return events.flatMap((event) => {
    const name = schemaOf.get(event.event);
    if (name === undefined) {
      return [`${event.event}: the document names no schema for it`];
    }
    const validate = checker.component(name);
    return validate(forValidator(parseJsonLossless(event.data))) ? [] : [`${event.event} ${event.data}: ${JSON.stringify(validate.errors)}`];
  });
}

test('the document names the data schema of every event a follower can get', (t) => {
  t.deepEqual([...schemaOf.entries()].sort(), [['end', 'OutputEndEvent'], ['error', 'OutputErrorEvent'], ['output', 'OutputChunk'], ['state', 'OutputStateEvent']]);
  for (const name of schemaOf.values()) {
    t.truthy((checker.document.components as { schemas: Record<string, unknown> }).schemas[name], name);
  }
});

test('following a running job: every state, output and end event is valid against the document', async (t) => {
  // Both streams, bytes that are not UTF-8, and a character written in two halves.
  const id = await submitJob(server, { command: "sh -c \"echo one; sleep 0.2; printf '\\360\\237' ; sleep 0.2; printf '\\245\\236\\n'; echo two >&2; printf '\\377\\n'; sleep 0.2; exit 3\"" });
  const follower = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  t.teardown(() => follower.close());
  await follower.waitFor((event) => event.event === 'end', 20000);
  const kinds = follower.events.map((event) => event.event);
  t.is(kinds[0], 'state');
  t.is(kinds[kinds.length - 1], 'end');
  t.true(kinds.includes('output'));
  t.deepEqual(invalid(follower.events), []);
  const chunks = follower.events.filter((event) => event.event === 'output').map((event) => JSON.parse(event.data) as { stream: string; data: string; encoding?: string });
  const decoded = chunks.map((chunk) => Buffer.from(chunk.data, chunk.encoding === 'base64' ? 'base64' : 'utf8'));
  const bytesOf = (stream: string): Buffer => Buffer.concat(chunks.flatMap((chunk, index) => (chunk.stream === stream ? [decoded[index] ?? Buffer.alloc(0)] : [])));
  t.deepEqual(bytesOf('stdout'), Buffer.concat([Buffer.from('one\n🥞\n'), Buffer.from([0xff, 0x0a])]));
  t.deepEqual(bytesOf('stderr'), Buffer.from('two\n'));
  // The pancake was held until whole: no chunk ends inside a character (however reads fell).
  t.deepEqual(decoded.filter((data) => completeUtf8Length(data) !== data.length), []);
  const end = parseJsonLossless(follower.events[follower.events.length - 1]?.data ?? '') as { reason: string; job: { returncode: number } };
  t.is(end.reason, 'job ended');
  t.is(Number(end.job.returncode), 3);
  t.true(follower.events.some((event) => event.event === 'state' && (JSON.parse(event.data) as { state: string }).state === 'INACTIVE'));
});

test('output removed under a follower: the error event is valid against the document', async (t) => {
  const id = await submitJob(server, { command: 'sh -c "echo start; sleep 30"' });
  const follower = await openSse(`${server.url}/v1/jobs/${id}/output/events`);
  t.teardown(async () => {
    follower.close();
    await server.request.post(`/v1/jobs/${id}/cancel`);
  });
  await follower.waitFor((event) => event.event === 'output', 20000);
  fs.rmSync(jobOutputPaths(server.dataDir, BigInt(id)).stdout);
  const error = await follower.waitFor((event) => event.event === 'error', 20000);
  t.regex(error.data, /output unavailable/);
  t.deepEqual(invalid(follower.events), []);
});
