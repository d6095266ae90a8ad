/**
 * The error bodies jobgate answers with, as schemas for the API documentation: the generic body
 * of the error renderer, the one shape of the routes beyond flux-restful-api's (and of the rate
 * limiter), the `{"detail": "..."}` of flux-restful-api's auth and token errors, FastAPI's 422
 * list of problems, and the compatible `{"Message": ...}` bodies of the v1 routes.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { component } from './openapi/components.js';

export const fieldError = component('FieldError', z.object({
  field: z.string(),
  message: z.string(),
}));

const errorInfo = z.object({
  code: z.enum(ERROR_CODES).meta({ description: 'Stable; clients branch on it.' }),
  message: z.string(),
  details: z.array(fieldError).meta({ description: 'One entry per problem, naming the parameter or field.' }),
  request_id: z.string().meta({ description: 'Also in the X-Request-Id header and in the server log.' }),
});

export const errorBody = component('Error', z.object({
  detail: z.string().meta({ description: 'The message again, where flux-restful-api clients look for it.' }),
  error: errorInfo,
}).meta({ description: 'Generic error body.' }));

/** Every error of the routes beyond flux-restful-api's (whatever raised it), and the rate limiter's 429. */
export const standardError = component('StandardError', z.object({
  error: errorInfo,
}).meta({ description: 'The one error shape of the routes beyond flux-restful-api\'s: `{"error": {code, message, details, request_id}}`.' }));

export const detailError = component('DetailError', z.object({
  detail: z.string(),
}).meta({ description: 'flux-restful-api (FastAPI) error body: authentication and token errors.' }));

export const validationProblems = component('ValidationProblems', z.object({
  detail: z.array(z.object({
    type: z.string().meta({ description: 'int_parsing, bool_parsing, missing, ...' }),
    loc: z.array(z.union([z.string(), z.int()])).meta({ description: 'Where: ["query", "num_tasks"], ["body", "password"].' }),
    msg: z.string(),
    input: z.unknown().meta({ description: 'The value given (long strings are cut).' }),
  })),
}).meta({ description: 'A parameter of the wrong type or a missing field, one entry each (FastAPI shape).' }));

export const messageBody = component('Message', z.object({
  Message: z.string(),
}).meta({ description: 'flux-restful-api answer or refusal.' }));

export const invalidJobId = component('InvalidJobId', z.object({
  Message: z.string(),
  detail: z.string(),
}).meta({ description: 'A path id that is not a job id in any encoding.' }));

export const tooManyAttempts = component('TooManyAttempts', z.object({
  Message: z.string().optional(),
  detail: z.string(),
}).meta({ description: 'Too many failed sign-in attempts; see Retry-After.' }));

/** Anything else (a 500, 503 while stopping, 413, a refused cross-site request...). */
export const anyError = z.union([errorBody, detailError]);
