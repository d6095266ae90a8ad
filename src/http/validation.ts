/**
 * Request validation with zod: the same schemas type the handlers' inputs and describe the API
 * in the OpenAPI document. Query strings are loosely typed, so the helpers here read them the
 * way FastAPI did for flux-restful-api (booleans as true/false/1/0/yes/no/on/off, integers from
 * decimal strings, `k=` meaning "not given", the last of repeated parameters winning), and
 * failures come back as FastAPI's 422 body, one entry per parameter.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseBoolean, parseInteger } from '../lib/parse.js';

export type Location = 'query' | 'body' | 'path' | 'header';

export interface TypeProblem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

function lastAndBlank(value: unknown): unknown {
  const single = Array.isArray(value) ? value[value.length - 1] : value;
  return single === '' || single === null ? undefined : single;
}

const INT_MESSAGE = 'Input should be a valid integer, unable to parse string as an integer';
const NUMBER_MESSAGE = 'Input should be a valid number, unable to parse string as a number';
const BOOL_MESSAGE = 'Input should be a valid boolean, unable to interpret input';
const STRING_MESSAGE = 'Input should be a valid string';
export const MISSING_MESSAGE = 'Field required';

/** Query/form helpers. Each yields `undefined` when the parameter is absent or blank. */
export const param = {
  int: () =>
    z.preprocess((value) => {
      const single = lastAndBlank(value);
      return typeof single === 'string' ? (parseInteger(single) ?? single) : single;
    }, z.number({ error: INT_MESSAGE }).int({ error: INT_MESSAGE }).optional()),
  number: () =>
    z.preprocess((value) => {
      const single = lastAndBlank(value);
      return typeof single === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(single) ? Number(single) : single;
    }, z.number({ error: NUMBER_MESSAGE }).optional()),
  bool: () =>
    z.preprocess((value) => {
      const single = lastAndBlank(value);
      return typeof single === 'string' ? (parseBoolean(single) ?? single) : single;
    }, z.boolean({ error: BOOL_MESSAGE }).optional()),
  string: (maxLength = 1 << 20) =>
    z.preprocess((value) => {
      const single = lastAndBlank(value);
      return typeof single === 'number' || typeof single === 'boolean' ? String(single) : single;
    }, z.string({ error: STRING_MESSAGE }).max(maxLength, { error: `String should have at most ${maxLength} characters` }).optional()),
  enumOf: <T extends readonly [string, ...string[]]>(values: T) =>
    z.preprocess((value) => lastAndBlank(value), z.enum(values, { error: `Input should be one of: ${values.join(', ')}` }).optional()),
};

function typeOf(message: string, code: string): string {
  if (message === INT_MESSAGE) return 'int_parsing';
  if (message === NUMBER_MESSAGE) return 'float_parsing';
  if (message === BOOL_MESSAGE) return 'bool_parsing';
  if (message === STRING_MESSAGE) return 'string_type';
  if (message === MISSING_MESSAGE) return 'missing';
  return code;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function typeProblems(error: z.ZodError, location: Location, input: unknown): TypeProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown field, named, as FastAPI reports fields it forbids.
      const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
      return issue.keys.map((key) => ({ type: 'extra_forbidden', loc: [location, ...path, key], msg: 'Extra inputs are not permitted', input: valueAt(input, [...issue.path, key]) }));
    }
    const raw = valueAt(input, issue.path);
    const shown = typeof raw === 'string' && raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
    return {
      type: typeOf(issue.message, issue.code),
      loc: [location, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
      msg: issue.message,
      // FastAPI writes a missing value as null (JSON has no undefined: the key would vanish).
      input: shown === undefined ? null : shown,
    };
  });
}

/** The 422 flux-restful-api (FastAPI) answered for inputs of the wrong type, naming each parameter. */
export function throwTypeProblems(problems: TypeProblem[]): never {
  const error = new AppError(
    422,
    'VALIDATION_ERROR',
    problems.map((problem) => `${problem.loc.slice(1).join('.')}: ${problem.msg}`).join('; '),
    problems.map((problem) => ({ field: problem.loc.slice(1).join('.'), message: problem.msg })),
  );
  error.withBody({ detail: problems });
  throw error;
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throwTypeProblems(typeProblems(result.error, location, input));
  }
  return result.data;
}
