/**
 * Filling a template with a submitter's parameters: every value checked against its
 * parameter (problems name `params.<name>`), defaults applied, placeholders replaced, and the
 * result handed on as an ordinary submit request. Fields that were exactly one placeholder are
 * remembered, so a problem the submit rules find there (num_tasks 0, ...) names the parameter.
 */
import { EXACT_PLACEHOLDER, type TemplateDefinition } from '../../model/template.js';
import type { FieldError } from '../../errors.js';
import type { SubmitInput } from '../submit-spec.js';
import { PLACEHOLDER } from './template-definition.js';
import { checkParameterValue, type ParameterValue } from './template-values.js';

export interface Rendered {
  input: SubmitInput;
  /** Every parameter's value, given or defaulted. */
  values: Record<string, ParameterValue>;
  /** Submit field → the parameter that filled it alone. */
  fieldParameters: Record<string, string>;
}

function resolveParameters(definition: TemplateDefinition, given: Readonly<Record<string, unknown>>): { values: Record<string, ParameterValue> } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, ParameterValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(definition.parameters, name)) {
      errors.push({ field: `params.${name}`, message: `not a parameter of this template (it has: ${Object.keys(definition.parameters).join(', ') || 'none'})` });
    }
  }
  for (const [name, spec] of Object.entries(definition.parameters)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    if (raw === undefined || raw === null) {
      if (spec.default === undefined) {
        errors.push({ field: `params.${name}`, message: 'required' });
      } else {
        values[name] = spec.default;
      }
      continue;
    }
    const checked = checkParameterValue(spec, raw);
    if ('problem' in checked) {
      errors.push({ field: `params.${name}`, message: checked.problem });
    } else {
      values[name] = checked.value;
    }
  }
  return errors.length > 0 ? { errors } : { values };
}

function fill(text: string, values: Readonly<Record<string, ParameterValue>>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => String(values[name] ?? ''));
}

function fillRecord(record: Readonly<Record<string, string>> | undefined, values: Readonly<Record<string, ParameterValue>>): Record<string, string> | undefined {
  return record === undefined ? undefined : Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fill(value, values)]));
}

export function renderTemplate(definition: TemplateDefinition, given: Readonly<Record<string, unknown>>): Rendered | { errors: FieldError[] } {
  const resolved = resolveParameters(definition, given);
  if ('errors' in resolved) {
    return resolved;
  }
  const { values } = resolved;
  const fieldParameters: Record<string, string> = {};
  const job = definition.job;
  const typed = <T extends number | boolean>(field: string, value: T | string | undefined): T | undefined => {
    if (typeof value !== 'string') {
      return value;
    }
    const name = EXACT_PLACEHOLDER.exec(value)?.[1] ?? '';
    fieldParameters[field] = name;
    return values[name] as T;
  };
  const input: SubmitInput = {
    command: job.command.map((word) => fill(word, values)),
    num_tasks: typed<number>('num_tasks', job.num_tasks),
    cores_per_task: typed<number>('cores_per_task', job.cores_per_task),
    gpus_per_task: typed<number>('gpus_per_task', job.gpus_per_task),
    num_nodes: typed<number>('num_nodes', job.num_nodes),
    exclusive: typed<boolean>('exclusive', job.exclusive),
    runtime: typed<number>('runtime', job.runtime),
    urgency: typed<number>('urgency', job.urgency),
    workdir: job.workdir === undefined ? undefined : fill(job.workdir, values),
    job_name: job.job_name === undefined ? undefined : fill(job.job_name, values),
    queue: job.queue === undefined ? undefined : fill(job.queue, values),
    envars: fillRecord(job.envars, values),
    option_flags: fillRecord(job.option_flags, values),
  };
  for (const key of Object.keys(input) as (keyof SubmitInput)[]) {
    if (input[key] === undefined) {
      delete input[key];
    }
  }
  return { input, values, fieldParameters };
}

/** Renames submit-rule problems in fields a parameter filled alone to that parameter. */
export function blameParameters(errors: readonly FieldError[], fieldParameters: Readonly<Record<string, string>>): FieldError[] {
  return errors.map((error) => {
    const name = fieldParameters[error.field];
    return name === undefined ? error : { field: `params.${name}`, message: `${error.message} (job field ${error.field})` };
  });
}
