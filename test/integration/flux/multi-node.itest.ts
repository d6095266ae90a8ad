/**
 * On a real Flux: a 4-node instance (`flux start --test-size=4`, started by the test inside the
 * suite's own instance) and a cancel right after a job's start.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, submitJob, waitFor, waitForJobEnd } from '../../helpers/test-server.js';
import { realFlux, startRealJobgate } from './real-flux.js';

test('a 4-node instance: -N 3 -n 6, an exclusive job, 4 nodes listed, num_nodes 5 refused', async (t) => {
  const dir = makeTempDir();
  const uriFile = path.join(dir, 'uri');
  const instance = spawn(realFlux() ?? 'flux', ['start', '--test-size=4', 'sh', '-c', `echo "$FLUX_URI" > ${uriFile}; sleep 600`], { stdio: 'ignore' });
  t.teardown(() => {
    instance.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const uri = await waitFor(() => (fs.existsSync(uriFile) && fs.readFileSync(uriFile, 'utf8').trim() !== '' ? fs.readFileSync(uriFile, 'utf8').trim() : undefined), 60000, 'the 4-node instance');
  const server = await startRealJobgate({ FLUX_URI: uri });
  t.teardown(() => server.close());
  t.is(server.jobs.maxNodes, 4);
  const spread = await submitJob(server, { command: 'hostname', num_nodes: 3, num_tasks: 6 });
  t.like(await waitForJobEnd(server, spread, 60000), { result: 'COMPLETED', nnodes: 3, ntasks: 6, ranks: '[0-2]' });
  const whole = await submitJob(server, { command: 'true', num_nodes: 1, exclusive: true });
  t.like(await waitForJobEnd(server, whole, 60000), { result: 'COMPLETED', nnodes: 1 });
  const nodes = await server.request.get('/v1/nodes').query({ details: true });
  t.is(nodes.body.details.length, 4);
  const five = await server.request.post('/v1/jobs/submit').query({ command: 'true', num_nodes: 5 });
  t.is(five.status, 400);
  t.regex(JSON.stringify(five.body), /num_nodes/);
});

test('a cancel right after start: the job ends CANCELED and inactive', async (t) => {
  const server = await startRealJobgate();
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sleep 100' });
  // As soon as jobgate sees it run: on a real Flux this lands within milliseconds of `start`.
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === 'RUN' ? true : undefined), 30000, 'the start', 1);
  t.is((await server.request.post(`/v1/jobs/${id}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, id, 60000), { state: 'INACTIVE', result: 'CANCELED' });
});
