/**
 * zod → JSON Schema (2020-12, the dialect of OpenAPI 3.1), with jobgate's conventions: job ids
 * (`z.bigint()`) are 64-bit integers, and zod's implicit "safe integer" bounds are left out
 * (they are an artefact of JavaScript numbers, not a rule of the API).
 */
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

const SAFE = Number.MAX_SAFE_INTEGER;

function adjust(ctx: { zodSchema: { _zod: { def: { type: string } } }; jsonSchema: JsonSchema }): void {
  const json = ctx.jsonSchema;
  if (ctx.zodSchema._zod.def.type === 'bigint') {
    json.type = 'integer';
    json.format = 'int64';
  }
  if (json.minimum === -SAFE) {
    delete json.minimum;
  }
  if (json.maximum === SAFE) {
    delete json.maximum;
  }
}

function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** The schema of a request part (query, body) as a client sends it. */
export function inputSchema(schema: z.ZodType): JsonSchema {
  return clean(z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any', override: adjust }) as JsonSchema);
}

/**
 * Output schemas converted together: each named one is referenced as
 * `#/components/schemas/<name>`; the others (keyed by a private id) come back inlined.
 */
export function outputSchemas(named: ReadonlyMap<string, z.ZodType>, others: ReadonlyMap<string, z.ZodType>): { components: Record<string, JsonSchema>; inline: Record<string, JsonSchema> } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of [...named, ...others]) {
    registry.add(schema, { id });
  }
  const converted = z.toJSONSchema(registry, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: adjust,
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonSchema>;
  const all = Object.fromEntries(Object.entries(converted).map(([id, schema]) => [id, clean(schema)]));
  // A private schema nested in another is referenced like a named one; put it back in place.
  const inlinePrivate = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(inlinePrivate);
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    const ref = (value as JsonSchema).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const id = ref.slice('#/components/schemas/'.length);
      if (others.has(id) && all[id] !== undefined) {
        return inlinePrivate(all[id]);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, inlinePrivate(inner)]));
  };
  const components: Record<string, JsonSchema> = {};
  const inline: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(all)) {
    (others.has(id) ? inline : components)[id] = inlinePrivate(schema) as JsonSchema;
  }
  return { components, inline };
}
