/**
 * The form a template's page generates from its parameter schema: one field per parameter (a
 * select for an enum or a boolean, a number input with its bounds for integer and number, text
 * otherwise), prefilled with the default; and the posted values read back as the parameters of a
 * submit (an empty field leaves the parameter to its default). Errors come back by parameter.
 */
import type { FieldError } from '../../errors.js';
import type { ParameterSpec } from '../../model/template.js';
import { formValue, type FormBody } from './form-fields.js';

export interface ParameterField {
  name: string;
  /** The form field's name (`param_<name>`). */
  input: string;
  type: ParameterSpec['type'];
  description: string;
  required: boolean;
  /** select (enum, boolean), number, or text. */
  control: 'select' | 'number' | 'text';
  options: { value: string; label: string }[];
  value: string;
  /** The type and its limits in words: `integer, 1 to 3`, `string, at most 20 characters`. */
  kind: string;
  attrs: { min?: number; max?: number; step?: string; maxlength?: number };
  errors: string[];
}

// Not 'param.x' or 'param[x]': the form parser would nest those.
const PREFIX = 'param_';

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function kindOf(spec: ParameterSpec): string {
  const { minimum: min, maximum: max } = spec;
  const range = min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : '';
  const length = spec.max_length === undefined ? '' : `at most ${spec.max_length} characters`;
  return [spec.type, range, length].filter((part) => part !== '').join(', ');
}

export function parameterFields(parameters: Record<string, ParameterSpec>, typed: Record<string, string> = {}, errors: Record<string, string[]> = {}): ParameterField[] {
  return Object.entries(parameters).map(([name, spec]) => {
    const value = typed[name] ?? text(spec.default);
    const choices = spec.type === 'boolean' ? ['true', 'false'] : spec.enum?.map(String);
    const blank = spec.default === undefined ? [{ value: '', label: '— choose —' }] : [];
    return {
      name,
      input: `${PREFIX}${name}`,
      type: spec.type,
      description: spec.description ?? '',
      required: spec.required === true,
      control: choices !== undefined ? 'select' : spec.type === 'integer' || spec.type === 'number' ? 'number' : 'text',
      options: choices === undefined ? [] : [...blank, ...choices.map((choice) => ({ value: choice, label: choice }))],
      value,
      kind: kindOf(spec),
      attrs: {
        ...(spec.minimum === undefined ? {} : { min: spec.minimum }),
        ...(spec.maximum === undefined ? {} : { max: spec.maximum }),
        ...(spec.type === 'integer' ? { step: '1' } : spec.type === 'number' ? { step: 'any' } : {}),
        ...(spec.max_length === undefined ? {} : { maxlength: spec.max_length }),
      },
      errors: errors[name] ?? [],
    };
  });
}

/** What was typed, by parameter name (every field, empty ones included, to show them again). */
export function typedValues(fields: FormBody, parameters: Record<string, ParameterSpec>): Record<string, string> {
  return Object.fromEntries(Object.keys(parameters).map((name) => [name, formValue(fields[`${PREFIX}${name}`])]));
}

/** The parameters of the submit: empty fields are left out (their default applies, or `required` is reported). */
export function submittedParams(typed: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(typed).filter(([, value]) => value.trim() !== ''));
}

/** A refused submit's problems: by parameter (`params.<name>`), the tags', and the rest for the whole form. */
export function parameterErrors(details: readonly FieldError[]): { byParameter: Record<string, string[]>; tagErrors: string[]; form: string[] } {
  const byParameter: Record<string, string[]> = {};
  const tagErrors: string[] = [];
  const form: string[] = [];
  for (const detail of details) {
    const match = /^params\.([A-Za-z_][A-Za-z0-9_]*)/.exec(detail.field);
    if (match?.[1] !== undefined) {
      (byParameter[match[1]] ??= []).push(detail.message);
    } else if (detail.field.startsWith('tags')) {
      tagErrors.push(detail.message);
    } else {
      form.push(detail.field === '_form' ? detail.message : `${detail.field}: ${detail.message}`);
    }
  }
  return { byParameter, tagErrors, form };
}
