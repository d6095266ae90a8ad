/**
 * Every submit option → the jobspec, compared whole (values and key order) with what
 * `flux submit --dry-run` printed for the same request in the recordings. The recorded
 * environment and rlimits are handed to the builder, since jobgate supplies its own (the job's
 * clean environment, the bridge's limits); the submitting user is recorded as system.user.
 */
import test from 'ava';
import { buildJobspec, jobspecProblems, shellOptionValue, type JsonObject } from '../../../src/executors/flux/jobspec.js';
import { buildSpec, type SubmitInput } from '../../../src/domain/submit-spec.js';
import type { JobSpec } from '../../../src/model/job.js';
import { dryRun, recorded } from './recordings.js';

const context = { maxNodes: 100, defaultWorkdir: '/tmp', defaultOptionFlags: {} };

function spec(input: SubmitInput): JobSpec {
  const built = buildSpec(input, context);
  if ('errors' in built) {
    throw new Error(JSON.stringify(built.errors));
  }
  return built.spec;
}

interface Recorded {
  attributes: { system: { environment: Record<string, string>; shell: { options: { rlimit?: Record<string, number> } } } };
}

/** The recorded jobspec with jobgate's user added where `--setattr=system.user=` puts it (last). */
function withUser(jobspec: Record<string, unknown>, user: string): Record<string, unknown> {
  const system = (jobspec as unknown as Recorded).attributes.system as unknown as Record<string, unknown>;
  if (!('user' in system)) {
    system.user = user;
  }
  return jobspec;
}

function build(options: string, input: SubmitInput, extra: { unbuffered?: boolean; owner?: string } = {}): { ours: JsonObject; expected: Record<string, unknown> } {
  const expected = dryRun(options);
  const system = (expected as unknown as Recorded).attributes.system;
  const ours = buildJobspec(spec(input), {
    env: system.environment,
    owner: extra.owner ?? 'fluxuser',
    rlimit: system.shell.options.rlimit ?? null,
    unbuffered: extra.unbuffered ?? false,
  });
  return { ours, expected: withUser(expected, extra.owner ?? 'fluxuser') };
}

const cases: [string, string, SubmitInput, { unbuffered?: boolean; owner?: string }?][] = [
  ['a plain command', 'echo hello', { command: 'echo hello' }],
  ['num_tasks and cores_per_task', '-n 2 -c 1 echo hello', { command: 'echo hello', num_tasks: 2, cores_per_task: 1 }],
  ['num_nodes with exclusive', '-N 1 echo hello', { command: 'echo hello', num_nodes: 1, exclusive: true }],
  ['num_nodes with num_tasks', '-N 1 -n 2 echo hello', { command: 'echo hello', num_nodes: 1, num_tasks: 2 }],
  ['exclusive with num_nodes', '--exclusive -N1 echo hello', { command: 'echo hello', exclusive: true, num_nodes: 1 }],
  ['num_nodes above num_tasks: one task per exclusive node', '-N 2 hostname', { command: 'hostname', num_nodes: 2 }],
  ['more nodes than the instance has', '-N 5 true', { command: 'true', num_nodes: 5 }],
  ['gpus_per_task', '-g 1 echo hello', { command: 'echo hello', gpus_per_task: 1 }],
  ['workdir', '--cwd=/tmp echo hello', { command: 'echo hello', workdir: '/tmp' }],
  ['runtime in seconds', '-t 60s echo hello', { command: 'echo hello', runtime: 60 }],
  ['runtime of two minutes', '-t 2 echo hello', { command: 'echo hello', runtime: 120 }],
  ['option flags, a value and a bare flag', '-o cpu-affinity=off -o pty echo hello', { command: 'echo hello', option_flags: 'cpu-affinity=off,pty' }],
  ['the submitting user', '--setattr=system.user=alice echo hello', { command: 'echo hello' }, { owner: 'alice' }],
  ['job_name', '--job-name=myjob echo hello', { command: 'echo hello', job_name: 'myjob' }],
  ['urgency (not part of the jobspec: given to the submit)', '--urgency=0 echo hello', { command: 'echo hello', urgency: 0 }],
  ['unbuffered output, as jobgate submits', '-u echo hello', { command: 'echo hello' }, { unbuffered: true }],
];

for (const [what, options, input, extra] of cases) {
  test(`jobspec: ${what} (flux submit --dry-run ${options})`, (t) => {
    const { ours, expected } = build(options, input, extra);
    t.deepEqual(ours, expected as JsonObject);
    // Key order too: jobspecs are compared by people and tools as text.
    t.is(JSON.stringify(ours), JSON.stringify(expected));
  });
}

test('jobspec: the environment is exactly the job environment (a clean base and its envars)', (t) => {
  const expected = dryRun("'--env-remove=*' --env=FOO=bar echo hello");
  const ours = buildJobspec(spec({ command: 'echo hello' }), { env: { FOO: 'bar' }, owner: 'fluxuser', rlimit: (expected as unknown as Recorded).attributes.system.shell.options.rlimit ?? null, unbuffered: false });
  t.deepEqual(ours, withUser(expected, 'fluxuser') as JsonObject);
  // Values are taken literally: no `$HOME` expansion (flux submit expands it), spaces and `=` kept.
  const literal = buildJobspec(spec({ command: 'echo hello' }), { env: { A: 'with spaces', B: '$HOME/x', C: 'a=b' }, owner: 'u' });
  t.deepEqual((literal.attributes as Recorded['attributes']).system.environment, { A: 'with spaces', B: '$HOME/x', C: 'a=b' });
});

test('jobspec: the combined request a service builds', (t) => {
  const recordedSpec = dryRun("-n 2 -c 1 --cwd=/tmp '--env-remove=*' --env=FOO=bar -t 60s --job-name=demo sh -c 'echo $FOO'");
  const rlimit = (recordedSpec as unknown as Recorded).attributes.system.shell.options.rlimit ?? null;
  const ours = buildJobspec(spec({ command: "sh -c 'echo $FOO'", num_tasks: 2, cores_per_task: 1, workdir: '/tmp', runtime: 60, job_name: 'demo', envars: { FOO: 'bar' } }), { env: { FOO: 'bar' }, owner: 'fluxuser', rlimit, unbuffered: false });
  t.is(JSON.stringify(ours), JSON.stringify(withUser(recordedSpec, 'fluxuser')));
});

test('jobspec: exclusive without num_nodes is refused with Flux words', (t) => {
  const step = recorded('01-dry-run-jobspecs.json', 'flux submit --dry-run --exclusive echo hello');
  t.is(step.rc, 1);
  const problems = jobspecProblems(spec({ command: 'echo hello', exclusive: true }));
  t.deepEqual(problems, [{ field: 'exclusive', message: 'exclusive can only be set with a node count' }]);
  t.true(step.stderr.includes(problems[0]?.message ?? 'none'));
  t.deepEqual(jobspecProblems(spec({ command: 'echo hello', exclusive: true, num_nodes: 1 })), []);
});

test('jobspec: option values are JSON when they parse as JSON, as `-o` does', (t) => {
  t.is(shellOptionValue('1'), 1);
  t.is(shellOptionValue('0.1'), 0.1);
  t.is(shellOptionValue('off'), 'off');
  t.is(shellOptionValue('openmpi@5'), 'openmpi@5');
  t.deepEqual(shellOptionValue('{"a":1}'), { a: 1 });
  // A dotted option merges into jobgate's output settings instead of replacing them.
  const ours = buildJobspec(spec({ command: 'true', option_flags: 'output.batch-timeout=0.1' }), { env: {}, owner: 'u' });
  const options = ((ours.attributes as JsonObject).system as JsonObject).shell as JsonObject;
  t.deepEqual((options.options as JsonObject).output, { stdout: { buffer: { type: 'none' } }, stderr: { buffer: { type: 'none' } }, 'batch-timeout': 0.1 });
});

test('jobspec: an uneven task count over nodes is a total, as Flux writes it', (t) => {
  const ours = buildJobspec(spec({ command: 'true', num_tasks: 3, num_nodes: 2 }), { env: {}, owner: 'u', unbuffered: false });
  t.deepEqual(ours.resources, [{ type: 'node', count: 2, with: [{ type: 'slot', count: 2, with: [{ type: 'core', count: 1 }], label: 'task' }] }]);
  t.deepEqual((ours.tasks as JsonObject[])[0]?.count, { total: 3 });
});

test('jobspec: a queue goes to system.queue', (t) => {
  const ours = buildJobspec(spec({ command: 'true', queue: 'batch' }), { env: {}, owner: 'u' });
  t.is(((ours.attributes as JsonObject).system as JsonObject).queue, 'batch');
});
