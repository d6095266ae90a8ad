/** Response schemas of the routes beyond flux-restful-api's (they document them in OpenAPI). */
import { z } from 'zod';
import { JOB_STATES } from '../../../domain/job.js';
import { BULK_ACTIONS } from '../../../domain/job-control.js';
import { parameterSchema, templateJobSchema } from '../../../domain/templates/template-definition.js';

/** A job id: an exact unsigned 64-bit integer in JSON (parse it with a lossless JSON parser). */
// Not z.number().int(): that stops at 2^53, and ids go beyond; the document still says integer.
export const jobIdSchema = z.number().meta({ type: 'integer', format: 'int64', description: 'Exact 64-bit job id (JSON integer; may exceed 2^53).' });
export const f58Schema = z.string().meta({ description: 'The same id in F58 (ƒ-prefixed), as Flux prints it.' });

export const tagSchema = z.object({ type: z.string(), name: z.string() }).meta({ id: 'Tag' });
export const holdSchema = z.object({ reason: z.string(), held_by: z.string(), t: z.number() }).nullable()
  .meta({ description: 'Why and by whom the job is held (null when it is not held).' });

export const labelsSchema = z.object({
  tags: z.array(tagSchema),
  metadata: z.record(z.string(), z.string()),
  held: z.boolean().meta({ description: 'Urgency 0 and not started.' }),
  hold: holdSchema,
});

/** The compatible job detail (flux-restful-api's fields) plus labels. */
export const jobItemSchema = z.looseObject({
  id: jobIdSchema,
  jobid: f58Schema,
  name: z.string(),
  owner: z.string(),
  state: z.enum(JOB_STATES),
  result: z.string().meta({ description: 'COMPLETED, FAILED, CANCELED, TIMEOUT; "" while active.' }),
  returncode: z.union([z.number().int(), z.literal('')]),
  urgency: z.number().int(),
  t_submit: z.number(),
  runtime: z.number(),
  ...labelsSchema.shape,
}).meta({ id: 'JobItem', description: 'The job detail object of GET /v1/jobs/{id} (all its fields) with tags, metadata and hold.' });

export const jobPageSchema = z.object({
  items: z.array(jobItemSchema),
  total: z.number().int().meta({ description: 'Jobs matching the filter (all pages).' }),
  offset: z.number().int(),
  limit: z.number().int(),
  page: z.number().int().meta({ description: '1-based page number of this answer (offset / limit + 1).' }),
  items_per_page: z.number().int(),
  has_more: z.boolean(),
});

export const controlSchema = z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  state: z.enum(JOB_STATES),
  urgency: z.number().int().meta({ description: 'Urgency after the request (0 held, 16 default, 31 expedite).' }),
  changed: z.boolean().meta({ description: 'False when the job already was as asked.' }),
  held: z.boolean(),
  hold: holdSchema,
});

export const bulkItemSchema = z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  ok: z.boolean(),
  changed: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const bulkSchema = z.object({
  action: z.enum(BULK_ACTIONS),
  dry_run: z.boolean(),
  summary: z.object({
    requested: z.number().int().meta({ description: 'Distinct jobs acted on (or selected, in a dry run).' }),
    succeeded: z.number().int(),
    changed: z.number().int(),
    failed: z.number().int(),
    errors: z.record(z.string(), z.number().int()).meta({ description: 'Failures by error code.' }),
    more: z.boolean().meta({ description: 'The filter matched more jobs than one request acts on: send it again.' }),
  }),
  results: z.array(bulkItemSchema),
});

export const tagCountSchema = z.object({ type: z.string(), name: z.string(), jobs: z.number().int() });

export const templateSchema = z.object({
  name: z.string(),
  owner: z.string(),
  shared: z.boolean(),
  description: z.string(),
  parameters: z.record(z.string(), parameterSchema),
  job: templateJobSchema.extend({ command: z.array(z.string()) }),
  revision: z.number().int(),
  created_at: z.number(),
  updated_at: z.number(),
}).meta({ id: 'JobTemplate' });

export const templateSubmitResponseSchema = z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  template: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({ description: 'Every parameter\'s value, given or defaulted.' }),
  job: jobItemSchema,
});

export const versionsSchema = z.object({
  versions: z.array(z.object({ version: z.string(), path: z.string(), status: z.enum(['current', 'deprecated']) })),
  latest: z.string(),
});

export const latestVersionSchema = z.object({ version: z.string(), path: z.string() });

export const aboutSchema = z.object({
  jobgate: z.string().meta({ description: 'jobgate version.' }),
  api: z.object({ latest: z.string(), supported: z.array(z.string()) }),
  executor: z.string().meta({ description: 'local, flux or slurm.' }),
  backend: z.object({ name: z.string(), version: z.string().nullable().meta({ description: 'null when the backend does not answer.' }) }),
});

