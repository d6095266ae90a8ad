/**
 * The flux executor under a multi-node instance (`flux start --test-size=4`, here with host
 * names node1..node4 so the lists Flux compresses come out compressed): jobs over several
 * nodes, exclusive jobs, the nodes page and /v1/nodes, and num_nodes bounded by the
 * instance's real size when FLUX_NUMBER_NODES is unset.
 */
import test from 'ava';
import { submitJob, waitForJobEnd } from '../../helpers/test-server.js';
import { startFluxJobgate, waitForJob } from './flux-server.js';

const hostnames = ['node1', 'node2', 'node3', 'node4'];

test('-N 3 -n 6 and an exclusive job on 4 nodes: ranks and compressed node lists in the job detail', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { size: 4, hostnames } });
  t.teardown(close);
  const spread = await submitJob(server, { command: 'sleep 30', num_nodes: 3, num_tasks: 6 });
  const running = await waitForJob(server, spread, (job) => job.state === 'RUN', 'the 3-node job to run');
  t.like(running, { nnodes: 3, ntasks: 6, ranks: '[0-2]', nodelist: 'node[1-3]' });
  // Rank 3 is the only whole node left: the exclusive job gets it, all its cores.
  const whole = await submitJob(server, { command: 'echo alone', num_nodes: 1, exclusive: true });
  t.like(await waitForJobEnd(server, whole), { result: 'COMPLETED', nnodes: 1, ranks: '3', nodelist: 'node4', ncores: 2 });
  t.is((await server.request.post(`/v1/jobs/${spread}/cancel`)).status, 200);
  t.like(await waitForJobEnd(server, spread), { result: 'CANCELED' });
});

test('the nodes page and /v1/nodes list the 4 nodes of the instance', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { size: 4, hostnames } });
  t.teardown(close);
  const listed = await server.request.get('/v1/nodes').query({ details: true });
  t.is(listed.status, 200);
  t.deepEqual(listed.body.nodes, hostnames);
  t.is(listed.body.details.length, 4);
  const page = await server.request.get('/nodes');
  t.is(page.status, 200);
  for (const host of hostnames) {
    t.true(page.text.includes(host), host);
  }
});

test('num_nodes is bounded by the instance size Flux reports when FLUX_NUMBER_NODES is unset', async (t) => {
  const { server, close } = await startFluxJobgate({ fake: { size: 4, hostnames } });
  t.teardown(close);
  t.is(server.jobs.maxNodes, 4);
  const four = await submitJob(server, { command: 'true', num_nodes: 4 });
  t.like(await waitForJobEnd(server, four), { result: 'COMPLETED', nnodes: 4, nodelist: 'node[1-4]' });
  const five = await server.request.post('/v1/jobs/submit').query({ command: 'true', num_nodes: 5 });
  t.is(five.status, 400);
  t.regex(JSON.stringify(five.body), /num_nodes/);
  t.regex(JSON.stringify(five.body), /only has 4 nodes/);
});
