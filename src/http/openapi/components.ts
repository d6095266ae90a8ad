/**
 * Named response schemas: each becomes one entry of the OpenAPI document's
 * `components.schemas` and is referenced (`$ref`) wherever a route answers with it, so
 * generated clients get one type per shape (one JobDetail, not one per route).
 */
import type { z } from 'zod';

const named = new Map<string, z.ZodType>();

/** Registers `schema` under `id` and returns it unchanged. */
export function component<T extends z.ZodType>(id: string, schema: T): T {
  if (named.has(id) && named.get(id) !== schema) {
    throw new Error(`two API schemas are named ${id}`);
  }
  named.set(id, schema);
  return schema;
}

/** Every named schema, by id. */
export function namedComponents(): ReadonlyMap<string, z.ZodType> {
  return named;
}
