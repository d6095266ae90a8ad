/** Template definitions, parameter values and rendering, without a server. */
import type { TemplateDefinition } from '../../src/model/template.js';
import test from 'ava';
import { normalizeDefinition } from '../../src/domain/templates/template-definition.js';
import { checkParameterValue } from '../../src/domain/templates/template-values.js';
import { blameParameters, renderTemplate } from '../../src/domain/templates/template-render.js';

function definition(input: Parameters<typeof normalizeDefinition>[0]): TemplateDefinition {
  const normalized = normalizeDefinition(input);
  if ('errors' in normalized) throw new Error(JSON.stringify(normalized.errors));
  return normalized.definition;
}

test('a command string is split into words once, placeholders stay inside their word', (t) => {
  const def = definition({ parameters: { file: { type: 'string', default: 'a b.txt' } }, job: { command: 'wc -l "{{ file }}" --label=x{{file}}y' } });
  t.deepEqual(def.job.command, ['wc', '-l', '{{ file }}', '--label=x{{file}}y']);
  const rendered = renderTemplate(def, { file: 'my file; rm -rf /' });
  t.false('errors' in rendered);
  if (!('errors' in rendered)) {
    t.deepEqual(rendered.input.command, ['wc', '-l', 'my file; rm -rf /', '--label=xmy file; rm -rf /y']);
  }
});

test('typed fields take the parameter\'s typed value; strings are filled everywhere', (t) => {
  const def = definition({
    parameters: { n: { type: 'integer', default: 2 }, t: { type: 'number', default: 1.5 }, x: { type: 'boolean', default: false }, q: { type: 'string', default: 'debug' } },
    job: { command: ['run'], num_tasks: '{{n}}', runtime: '{{t}}', exclusive: '{{x}}', queue: '{{q}}', envars: { N: '{{n}}', X: '{{x}}' }, option_flags: { mode: '{{q}}' }, workdir: '/w/{{q}}', job_name: 'run-{{n}}' },
  });
  const rendered = renderTemplate(def, { n: '4', x: 'yes' });
  if ('errors' in rendered) return t.fail(JSON.stringify(rendered.errors));
  t.deepEqual(rendered.input, {
    command: ['run'], num_tasks: 4, runtime: 1.5, exclusive: true, queue: 'debug', envars: { N: '4', X: 'true' }, option_flags: { mode: 'debug' }, workdir: '/w/debug', job_name: 'run-4',
  });
  t.deepEqual(rendered.fieldParameters, { num_tasks: 'n', runtime: 't', exclusive: 'x' });
  t.deepEqual(blameParameters([{ field: 'num_tasks', message: 'Parameter num_tasks must be >= 1' }, { field: 'command', message: 'x' }], rendered.fieldParameters), [
    { field: 'params.n', message: 'Parameter num_tasks must be >= 1 (job field num_tasks)' },
    { field: 'command', message: 'x' },
  ]);
});

test('definition problems are all reported with their paths', (t) => {
  const result = normalizeDefinition({
    parameters: {
      a: { type: 'integer', required: true, max_length: 3 },
      b: { type: 'number', default: 5, minimum: 10, maximum: 1 },
      c: { type: 'boolean', default: 'maybe', enum: ['x'] },
    },
    job: { command: ['x', '{{nope}}'], num_tasks: '{{c}}', urgency: '{{zzz}}' },
  });
  t.true('errors' in result);
  if ('errors' in result) {
    t.deepEqual(result.errors.map((error) => error.field), ['parameters.a', 'parameters.b', 'parameters.b.default', 'parameters.c.enum', 'parameters.c.default', 'job.command[1]', 'job.num_tasks', 'job.urgency']);
  }
});

test('defaults and enums are stored in the parameter\'s type', (t) => {
  const def = definition({ parameters: { n: { type: 'integer', default: '8', enum: ['8', 16] }, x: { type: 'boolean', default: 'yes' } }, job: { command: ['x'], num_tasks: '{{n}}', exclusive: '{{x}}' } });
  t.deepEqual(def.parameters, { n: { type: 'integer', default: 8, enum: [8, 16] }, x: { type: 'boolean', default: true } });
  const rendered = renderTemplate(def, {});
  t.like(rendered, { input: { num_tasks: 8, exclusive: true } });
});

test('parameter values: coercion from strings and every constraint', (t) => {
  t.deepEqual(checkParameterValue({ type: 'integer' }, '42'), { value: 42 });
  t.deepEqual(checkParameterValue({ type: 'integer' }, 4.2), { problem: 'expected a whole number' });
  t.deepEqual(checkParameterValue({ type: 'number' }, '1e3'), { value: 1000 });
  t.deepEqual(checkParameterValue({ type: 'number' }, 'NaN'), { problem: 'expected a number' });
  t.deepEqual(checkParameterValue({ type: 'boolean' }, 'off'), { value: false });
  t.deepEqual(checkParameterValue({ type: 'string' }, 7), { value: '7' });
  t.deepEqual(checkParameterValue({ type: 'string' }, { a: 1 }), { problem: 'expected a string' });
  t.deepEqual(checkParameterValue({ type: 'string', max_length: 2 }, 'abc'), { problem: 'at most 2 characters' });
  t.deepEqual(checkParameterValue({ type: 'string' }, 'a\u0000b'), { problem: 'must not contain NUL bytes' });
  t.deepEqual(checkParameterValue({ type: 'integer', minimum: 1 }, 0), { problem: 'must be at least 1' });
  t.deepEqual(checkParameterValue({ type: 'integer', enum: [1, 2] }, '2'), { value: 2 });
  t.deepEqual(checkParameterValue({ type: 'string', enum: ['a', 1] }, '1'), { value: '1' });
  t.regex((checkParameterValue({ type: 'string', enum: ['a'] }, 'b') as { problem: string }).problem, /one of "a"/);
});
