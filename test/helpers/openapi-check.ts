/**
 * Checks real answers against a served OpenAPI document: the status must be one the operation
 * declares (not merely `default`), the content type one it lists, and the body valid against
 * its schema (JSON Schema 2020-12, with ajv). Bodies are parsed losslessly: 64-bit ids arrive
 * as bigints, which are integers by construction and are handed to the validator as numbers.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { parseJsonLossless } from '../../src/lib/json.js';
import { openApiPath } from '../../src/http/openapi/document.js';

type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const BASE = 'https://jobgate.invalid/openapi.json';

/** bigint → number: what JSON Schema's `integer` means for a validator working on JS numbers. */
export function forValidator(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (Array.isArray(value)) {
    return value.map(forValidator);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, forValidator(inner)]));
  }
  return value;
}

const addFormats = formatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `method path` → statuses seen. */
  readonly seen = new Map<string, Set<string>>();

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    // The document's own keywords around the schemas are not schema keywords.
    this.ajv.addVocabulary(['components', 'schemas']);
    this.ajv.addSchema({ $id: BASE, components: document.components } as Json);
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`)) as Json;
      validate = this.ajv.compile(rebased);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** A named schema of components.schemas (for SSE event data). */
  component(name: string): ValidateFunction {
    return this.validator(`component ${name}`, { $ref: `#/components/schemas/${name}` });
  }

  operations(): string[] {
    const paths = this.document.paths as Record<string, Record<string, unknown>>;
    return Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
  }

  /** Returns the problems with this answer (empty when it matches the document). */
  check(method: string, routePath: string, answer: Answer): string[] {
    const path = openApiPath(routePath);
    const key = `${method.toLowerCase()} ${path}`;
    const operation = (this.document.paths as Record<string, Record<string, Json>>)[path]?.[method.toLowerCase()];
    if (operation === undefined) {
      return [`${key} is not in the document`];
    }
    const statuses = this.seen.get(key) ?? new Set<string>();
    statuses.add(String(answer.status));
    this.seen.set(key, statuses);
    const response = (operation.responses as Record<string, Json>)[String(answer.status)];
    if (response === undefined) {
      return [`${key} answered ${answer.status}, which it does not declare`];
    }
    const content = (response.content ?? {}) as Record<string, Json>;
    const type = answer.contentType.split(';')[0]?.trim() ?? '';
    const media = content[type];
    if (media === undefined) {
      return Object.keys(content).length === 0 && answer.text === '' ? [] : [`${key} ${answer.status} answered ${type || 'no type'}; declared: ${Object.keys(content).join(', ') || 'no body'}`];
    }
    if (media.schema === undefined) {
      return [];
    }
    const body = type === 'application/json' ? forValidator(parseJsonLossless(answer.text)) : answer.text;
    const validate = this.validator(`${key} ${answer.status} ${type}`, media.schema);
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${key} ${answer.status}: ${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }
}
