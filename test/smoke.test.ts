import test from 'ava';
import { startTestServer, submitJob, waitForJobEnd } from './helpers/test-server.js';

test('a submitted command runs and its output comes back', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  const id = await submitJob(server, { command: 'sh -c "echo hello $NAME"' }, { NAME: 'world' });
  const job = await waitForJobEnd(server, id);
  t.is(job.result, 'COMPLETED');
  t.is(job.returncode, 0);
  const output = await server.request.get(`/v1/jobs/${id}/output`);
  t.deepEqual(output.body.Output, ['hello world\n']);
});
