/**
 * Gathers a submit request from wherever a client put it (flux-restful-api compatibility,
 * reference §16): the query string (the current Python client), a JSON body holding the whole
 * request (old clients, and the client's retry after its auth handshake), a JSON body that is
 * only the env vars (the original server's meaning), or an HTML form.
 */
import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { SubmitInput } from '../../../domain/submit-spec.js';
import { parseWith } from '../../validation.js';
import { envarsBody, submitBody, submitQuery } from './schemas.js';

export interface SubmitRequest {
  input: SubmitInput;
  /** `user`: the owner to record when auth is off (the original wrote it into the jobspec). */
  user: string | undefined;
}

type Fields = z.output<typeof submitQuery> | z.output<typeof submitBody>;

export function readSubmitRequest(ctx: ParameterizedContext): SubmitRequest {
  const body: unknown = (ctx.request as { body?: unknown }).body;
  const hasBody = body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0);
  if (hasBody && (typeof body !== 'object' || Array.isArray(body))) {
    throw new AppError(400, 'VALIDATION_ERROR', 'body: expected a JSON object', [{ field: 'body', message: 'expected a JSON object' }]);
  }
  const fromQuery = parseWith(submitQuery, ctx.query, 'query');
  let fields: Fields = fromQuery;
  if (hasBody) {
    const values = body as Record<string, unknown>;
    if (ctx.is('application/json') && !('command' in values)) {
      fields = { ...fromQuery, envars: parseWith(envarsBody, values, 'body') };
    } else {
      // Fields in the body win over the query string; JSON nulls mean "not given".
      const present = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
      const schema = ctx.is('application/json') ? submitBody : submitQuery;
      const fromBody = parseWith(schema, present, 'body');
      fields = { ...fromQuery, ...Object.fromEntries(Object.entries(fromBody).filter(([, value]) => value !== undefined)) };
    }
  }
  const { user, ...rest } = fields;
  const input: SubmitInput = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) {
      (input as Record<string, unknown>)[key] = value;
    }
  }
  return { input, user };
}
