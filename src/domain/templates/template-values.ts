/**
 * Parameter values: reading what a submitter sent (JSON values, or the strings a command line
 * or form sends) as the parameter's type, and checking its constraints. Every problem is a
 * sentence about the value, the caller adds the parameter's name.
 */
import { parseBoolean, parseInteger } from '../../lib/parse.js';
import type { ParameterSpec } from '../../model/template.js';

export type ParameterValue = string | number | boolean;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function coerce(spec: Pick<ParameterSpec, 'type'>, raw: unknown): { value: ParameterValue } | { problem: string } {
  switch (spec.type) {
    case 'string':
      if (typeof raw === 'string') return { value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
      return { problem: 'expected a string' };
    case 'integer': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { value: raw };
      const parsed = typeof raw === 'string' ? parseInteger(raw) : undefined;
      return parsed === undefined ? { problem: 'expected a whole number' } : { value: parsed };
    }
    case 'number': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw };
      if (typeof raw === 'string' && NUMBER.test(raw.trim())) return { value: Number(raw) };
      return { problem: 'expected a number' };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const parsed = typeof raw === 'string' ? parseBoolean(raw) : undefined;
      return parsed === undefined ? { problem: 'expected true or false' } : { value: parsed };
    }
  }
}

/** The value as the parameter's type, or why it is not acceptable. */
export function checkParameterValue(spec: ParameterSpec, raw: unknown): { value: ParameterValue } | { problem: string } {
  const coerced = coerce(spec, raw);
  if ('problem' in coerced) {
    return coerced;
  }
  const value = coerced.value;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { problem: 'must not contain NUL bytes' };
    if (spec.max_length !== undefined && value.length > spec.max_length) return { problem: `at most ${spec.max_length} characters` };
  }
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) return { problem: `must be at least ${spec.minimum}` };
    if (spec.maximum !== undefined && value > spec.maximum) return { problem: `must be at most ${spec.maximum}` };
  }
  if (spec.enum !== undefined && !spec.enum.some((allowed) => (typeof value === 'number' ? Number(allowed) === value : String(allowed) === value))) {
    return { problem: `must be one of ${spec.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}` };
  }
  return { value };
}
