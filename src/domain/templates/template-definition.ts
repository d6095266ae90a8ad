/**
 * What a job template is: named parameters with a type (string, integer, number, boolean),
 * a default or `required`, and optional constraints; and a job request whose strings may hold
 * `{{ parameter }}` placeholders. A numeric or boolean field may be exactly one placeholder of
 * a parameter of that type. A command given as a string is split into words once, when the
 * template is saved, so a parameter value always stays inside its word (a value with spaces
 * never becomes extra arguments).
 */
import { z } from 'zod';
import type { FieldError } from '../../errors.js';
import { splitCommand } from '../../lib/shellwords.js';
import { checkParameterValue } from './template-values.js';
import { EXACT_PLACEHOLDER, templateJobSchema, parameterSchema, type ParameterSpec, type ParameterType, type TemplateDefinition, type TemplateJob } from '../../model/template.js';

const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** `{{ name }}` anywhere in a string. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const templateFields = {
  description: z.string().max(4096).optional().meta({ description: 'What the template runs, for people choosing one.' }),
  shared: z.boolean().optional().meta({ description: 'Every user may read it and submit from it (only its owner and superusers change it).' }),
  parameters: z.record(z.string().regex(PARAMETER_NAME, { error: 'a parameter name is a letter or _ then letters, digits or _ (at most 64)' }), parameterSchema)
    .optional()
    .meta({ description: 'Parameter name → {type, description, required, default, enum, minimum, maximum, max_length}.' }),
  job: templateJobSchema,
};

/** `POST /v1/templates` body. */
export const templateCreateSchema = z.strictObject({
  name: z.string().regex(TEMPLATE_NAME, { error: 'a template name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' }),
  ...templateFields,
});
export type TemplateCreate = z.infer<typeof templateCreateSchema>;

/** `PUT /v1/templates/{name}` body (the name is in the path). */
export const templateReplaceSchema = z.strictObject({ name: z.string().optional(), ...templateFields });
export type TemplateReplace = z.infer<typeof templateReplaceSchema>;


/** Fields that take a typed value and the parameter types that may fill them. */
const TYPED_FIELDS: Partial<Record<keyof TemplateJob, readonly ParameterType[]>> = {
  num_tasks: ['integer'],
  cores_per_task: ['integer'],
  gpus_per_task: ['integer'],
  num_nodes: ['integer'],
  urgency: ['integer'],
  runtime: ['integer', 'number'],
  exclusive: ['boolean'],
};

const MAX_PARAMETERS = 64;

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/** Checks the parameters and gives them back with defaults and enums in their type ("8" → 8). */
function checkParameters(parameters: Record<string, ParameterSpec>): { parameters: Record<string, ParameterSpec>; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const normalized: Record<string, ParameterSpec> = {};
  if (Object.keys(parameters).length > MAX_PARAMETERS) {
    problems.push({ field: 'parameters', message: `at most ${MAX_PARAMETERS} parameters` });
  }
  for (const [name, given] of Object.entries(parameters)) {
    const field = `parameters.${name}`;
    const spec: ParameterSpec = { ...given };
    const numeric = spec.type === 'integer' || spec.type === 'number';
    if (!numeric && (spec.minimum !== undefined || spec.maximum !== undefined)) {
      problems.push({ field, message: 'minimum and maximum apply to integer and number parameters only' });
    }
    if (spec.type !== 'string' && spec.max_length !== undefined) {
      problems.push({ field, message: 'max_length applies to string parameters only' });
    }
    if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum) {
      problems.push({ field, message: 'minimum is larger than maximum' });
    }
    if (spec.type === 'boolean' && spec.enum !== undefined) {
      problems.push({ field: `${field}.enum`, message: 'a boolean parameter has no enum' });
      delete spec.enum;
    }
    if (spec.enum !== undefined) {
      const values: (string | number)[] = [];
      spec.enum.forEach((value, index) => {
        const checked = checkParameterValue({ ...spec, enum: undefined }, value);
        if ('problem' in checked) {
          problems.push({ field: `${field}.enum[${index}]`, message: checked.problem });
        } else if (typeof checked.value !== 'boolean') {
          values.push(checked.value);
        }
      });
      spec.enum = values;
    }
    if (spec.default === undefined) {
      if (spec.required !== true) {
        problems.push({ field, message: 'give a default or mark it required' });
      }
    } else {
      const checked = checkParameterValue(spec, spec.default);
      if ('problem' in checked) {
        problems.push({ field: `${field}.default`, message: checked.problem });
      } else {
        spec.default = checked.value;
      }
    }
    normalized[name] = spec;
  }
  return { parameters: normalized, problems };
}

/** The job request's strings and the placeholders in each, by field path. */
function stringsOf(job: TemplateDefinition['job']): [string, string][] {
  const found: [string, string][] = job.command.map((word, index) => [`job.command[${index}]`, word]);
  for (const key of ['workdir', 'job_name', 'queue'] as const) {
    const value = job[key];
    if (value !== undefined) found.push([`job.${key}`, value]);
  }
  for (const key of ['envars', 'option_flags'] as const) {
    for (const [name, value] of Object.entries(job[key] ?? {})) {
      found.push([`job.${key}.${name}`, value]);
    }
  }
  return found;
}

/** Checks a template's meaning (its shape was checked by the schema) and stores the command as argv. */
export function normalizeDefinition(input: Pick<TemplateCreate, 'parameters' | 'job'>): { definition: TemplateDefinition } | { errors: FieldError[] } {
  const { parameters, problems } = checkParameters(input.parameters ?? {});
  let command: string[];
  if (typeof input.job.command === 'string') {
    const split = splitCommand(input.job.command);
    if ('error' in split) {
      return { errors: [...problems, { field: 'job.command', message: split.error }] };
    }
    command = split.words;
  } else {
    command = input.job.command;
  }
  if (command.length === 0) {
    problems.push({ field: 'job.command', message: 'is empty' });
  }
  const job = { ...input.job, command };
  for (const [field, text] of stringsOf(job)) {
    for (const name of placeholdersIn(text)) {
      if (parameters[name] === undefined) {
        problems.push({ field, message: `{{${name}}} is not a declared parameter` });
      }
    }
  }
  for (const [key, types] of Object.entries(TYPED_FIELDS) as [keyof TemplateJob, readonly ParameterType[]][]) {
    const value = job[key];
    if (typeof value !== 'string') continue;
    const name = EXACT_PLACEHOLDER.exec(value)?.[1] ?? '';
    const spec = parameters[name];
    if (spec === undefined) {
      problems.push({ field: `job.${key}`, message: `{{${name}}} is not a declared parameter` });
    } else if (!types.includes(spec.type)) {
      problems.push({ field: `job.${key}`, message: `parameter ${name} is ${spec.type}; ${key} needs ${types.join(' or ')}` });
    }
  }
  return problems.length > 0 ? { errors: problems } : { definition: { parameters, job } };
}
