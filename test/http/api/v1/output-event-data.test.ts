/** The data of each follow event, parsed by the very schemas the API document is built from. */
import test from 'ava';
import { newJobRecord, type JobRecord } from '../../../../src/model/job.js';
import { chunkData, endData, errorData, sseFrame, stateData } from '../../../../src/http/api/v1/output-event-data.js';
import { outputChunk, outputEndEvent, outputErrorEvent, outputStateEvent } from '../../../../src/http/api/v1/responses.js';
import { presentJobDetail } from '../../../../src/http/presenters/job.js';

function job(fields: Partial<JobRecord>): JobRecord {
  const spec = { command: ['demo'], name: 'demo', numTasks: 1, coresPerTask: 1, gpusPerTask: 0, numNodes: null, exclusive: false, workdir: null, runtime: 0, envars: {}, optionFlags: {}, tty: false, urgency: 16, queue: null };
  return { ...newJobRecord({ id: 2n ** 60n + 1n, owner: 'alice', userid: 1000, spec, executor: 'local', t: 1 }), ...fields };
}

test('state data: blanks while the result and exit code are unknown, the values once known', (t) => {
  t.deepEqual(outputStateEvent.parse(stateData('current', job({ state: 'RUN' }), 2)), { event: 'current', state: 'RUN', result: '', returncode: '', t: 2 });
  t.deepEqual(outputStateEvent.parse(stateData('clean', job({ state: 'INACTIVE', result: 'FAILED', returncode: 3 }), 4)), { event: 'clean', state: 'INACTIVE', result: 'FAILED', returncode: 3, t: 4 });
  // A record that ended without an exit code (the type allows it; the domain always sets one) still fits.
  t.is(outputStateEvent.parse(stateData('clean', job({ state: 'INACTIVE', result: 'CANCELED', returncode: null }), 4)).returncode, '');
});

test('chunk data: text when it is UTF-8, base64 otherwise', (t) => {
  t.deepEqual(outputChunk.parse(chunkData({ stream: 'stdout', data: Buffer.from('🥞\n') })), { stream: 'stdout', data: '🥞\n' });
  t.deepEqual(outputChunk.parse(chunkData({ stream: 'stderr', data: Buffer.from([0xff, 0x0a]) })), { stream: 'stderr', data: '/wo=', encoding: 'base64' });
});

test('end and error data fit their schemas, the final job included', (t) => {
  const final = job({ state: 'INACTIVE', result: 'COMPLETED', returncode: 0 });
  t.is(outputEndEvent.parse(endData('job ended', presentJobDetail(final, undefined, 5))).job?.id, final.id);
  t.deepEqual(outputEndEvent.parse(endData('service stopping', undefined)), { reason: 'service stopping' });
  t.deepEqual(outputErrorEvent.parse(errorData('output unavailable: gone')), { message: 'output unavailable: gone' });
});

test('frames: output events carry their cursor as the id, the others none', (t) => {
  const present = (record: JobRecord): Record<string, unknown> => presentJobDetail(record, undefined, 5);
  const output = sseFrame({ kind: 'output', chunk: { stream: 'stdout', data: Buffer.from('x') }, cursor: 12 }, present);
  t.deepEqual(output, { event: 'output', data: '{"stream":"stdout","data":"x"}', id: '12' });
  const state = sseFrame({ kind: 'state', event: 'start', job: job({ state: 'RUN' }), t: 2 }, present);
  t.is(state.event, 'state');
  t.is(state.id, undefined);
  const end = sseFrame({ kind: 'end', reason: 'job ended', job: job({ state: 'INACTIVE', result: 'COMPLETED', returncode: 0 }) }, present);
  // 64-bit ids are written exactly (past 2^53).
  t.regex(end.data, /"id":1152921504606846977[,}]/);
  t.deepEqual(sseFrame({ kind: 'error', message: 'm' }, present), { event: 'error', data: '{"message":"m"}' });
});
