/**
 * The submit form's fields, both ways: from a posted form to a SubmitInput (numbers and the
 * human runtime parsed here, so a typo is named next to its field instead of failing the
 * request), and from an existing job back to the form (resubmit). Environment variables come
 * as parallel `env_name` / `env_value` rows.
 */
import type { FieldError } from '../../errors.js';
import type { JobRecord } from '../../model/job.js';
import type { SubmitInput } from '../../domain/submit-spec.js';
import { formatDuration, parseBoolean, parseDuration, parseInteger } from '../../lib/parse.js';
import { commandLine } from './job-view.js';
import { formBody, formList, formValue } from './form-fields.js';

export interface EnvRow {
  name: string;
  value: string;
}

export interface SubmitFormValues {
  command: string;
  job_name: string;
  num_tasks: string;
  cores_per_task: string;
  gpus_per_task: string;
  num_nodes: string;
  exclusive: boolean;
  /** The command is a workflow launcher (nextflow, snakemake) that submits jobs itself. */
  is_launcher: boolean;
  workdir: string;
  runtime: string;
  option_flags: string;
  urgency: string;
  queue: string;
  env: EnvRow[];
}

const TEXT_FIELDS = ['command', 'job_name', 'num_tasks', 'cores_per_task', 'gpus_per_task', 'num_nodes', 'workdir', 'runtime', 'option_flags', 'urgency', 'queue'] as const;
const INTEGER_FIELDS = ['num_tasks', 'cores_per_task', 'gpus_per_task', 'num_nodes', 'urgency'] as const;

export function emptyForm(): SubmitFormValues {
  // The template always adds one empty variable row to type into.
  return { command: '', job_name: '', num_tasks: '', cores_per_task: '', gpus_per_task: '', num_nodes: '', exclusive: false, is_launcher: false, workdir: '', runtime: '', option_flags: '', urgency: '', queue: '', env: [] };
}

/** What a browser posted, as text (nothing is interpreted yet). */
export function readForm(body: unknown): SubmitFormValues {
  const fields = formBody(body);
  const values = emptyForm();
  for (const name of TEXT_FIELDS) {
    values[name] = formValue(fields[name]);
  }
  values.exclusive = parseBoolean(formValue(fields.exclusive)) ?? false;
  values.is_launcher = parseBoolean(formValue(fields.is_launcher)) ?? false;
  const names = formList(fields.env_name);
  const texts = formList(fields.env_value);
  // Empty rows are dropped (the template adds a fresh one).
  values.env = names.map((name, index) => ({ name: name.trim(), value: texts[index] ?? '' })).filter((row) => row.name !== '' || row.value !== '');
  return values;
}

/** The request to submit, or the fields that are not even of the right type. */
export function toSubmitInput(values: SubmitFormValues): { input: SubmitInput } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const input: SubmitInput = { command: values.command };
  for (const field of INTEGER_FIELDS) {
    const text = values[field].trim();
    if (text === '') {
      continue;
    }
    const number = parseInteger(text);
    if (number === undefined) {
      errors.push({ field, message: `'${text}' is not a whole number` });
    } else {
      input[field] = number;
    }
  }
  if (values.runtime.trim() !== '') {
    const seconds = parseDuration(values.runtime);
    if (seconds === undefined) {
      errors.push({ field: 'runtime', message: `'${values.runtime.trim()}' is not a duration (write e.g. 90s, 15m, 1h30m, or seconds)` });
    } else {
      input.runtime = seconds;
    }
  }
  for (const field of ['job_name', 'workdir', 'queue', 'option_flags'] as const) {
    const text = values[field].trim();
    if (text !== '') {
      input[field] = text;
    }
  }
  if (values.exclusive) {
    input.exclusive = true;
  }
  if (values.is_launcher) {
    input.is_launcher = true;
  }
  const envars: Record<string, string> = {};
  for (const row of values.env) {
    if (row.name === '' && row.value === '') {
      continue;
    }
    if (row.name === '') {
      errors.push({ field: 'envars', message: `a value ('${row.value.slice(0, 40)}') has no variable name` });
    } else if (Object.hasOwn(envars, row.name)) {
      errors.push({ field: `envars.${row.name}`, message: 'is given twice' });
    } else {
      envars[row.name] = row.value;
    }
  }
  if (Object.keys(envars).length > 0) {
    input.envars = envars;
  }
  return errors.length > 0 ? { errors } : { input };
}

/** A job's request as the form that would submit it again. */
export function formFromJob(job: JobRecord): SubmitFormValues {
  const spec = job.spec;
  const flags = Object.entries(spec.optionFlags).map(([key, value]) => `${key}=${value}`).join(',');
  const env = Object.entries(spec.envars).map(([name, value]) => ({ name, value }));
  return {
    command: commandLine(spec.command),
    job_name: spec.name,
    num_tasks: String(spec.numTasks),
    cores_per_task: String(spec.coresPerTask),
    gpus_per_task: spec.gpusPerTask > 0 ? String(spec.gpusPerTask) : '',
    num_nodes: spec.numNodes === null ? '' : String(spec.numNodes),
    exclusive: spec.exclusive,
    // Not kept with the job: a launcher is asked for again.
    is_launcher: false,
    workdir: spec.workdir ?? '',
    // Whole seconds read back as 1h30m; fractions stay seconds so the limit is not rounded.
    runtime: spec.runtime <= 0 ? '' : Number.isInteger(spec.runtime) ? formatDuration(spec.runtime) : String(spec.runtime),
    option_flags: flags,
    urgency: String(spec.urgency),
    queue: spec.queue ?? '',
    env,
  };
}

/**
 * Errors grouped by the form field that shows them. `envars.NAME` belongs to the row of that
 * variable (keyed `env:NAME`); anything the form has no field for goes to the top (`_form`).
 */
export function errorsByField(errors: readonly FieldError[]): Record<string, string[]> {
  const known = new Set<string>([...TEXT_FIELDS, 'exclusive', 'is_launcher', 'envars']);
  const grouped: Record<string, string[]> = {};
  for (const error of errors) {
    let key = error.field;
    if (key.startsWith('envars.')) {
      key = `env:${key.slice('envars.'.length)}`;
    } else if (key === 'cpus_per_task') {
      key = 'cores_per_task';
    } else if (!known.has(key)) {
      key = '_form';
    }
    (grouped[key] ??= []).push(error.message);
  }
  return grouped;
}
