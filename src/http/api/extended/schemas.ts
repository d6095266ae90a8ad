/**
 * Answer schemas of the routes beyond flux-restful-api's (they document them in OpenAPI; a test
 * validates real answers against them). Jobs, ids and labels are the v1 shapes
 * (presenters/job-schemas.ts), so a job reads the same whichever route returns it.
 */
import { z } from 'zod';
import { BULK_ACTIONS } from '../../../domain/job-control.js';
import { parameterSchema, templateJobSchema } from '../../../model/template.js';
import { component } from '../../openapi/components.js';
import { f58Schema, jobDetailSchema, jobIdSchema, jobResultSchema, jobStateSchema } from '../../presenters/job-schemas.js';
import { ERROR_CODES } from '../../../errors.js';

export const jobPageSchema = component('JobPage', z.object({
  items: z.array(jobDetailSchema),
  total: z.int().meta({ description: 'Jobs matching the filter (all pages).' }),
  offset: z.int(),
  limit: z.int(),
  page: z.int().meta({ description: '1-based page number of this answer (offset / limit + 1).' }),
  items_per_page: z.int(),
  has_more: z.boolean(),
}));

export const controlSchema = component('JobControl', z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  state: jobStateSchema,
  urgency: z.int().meta({ description: 'Urgency after the request (0 held, 16 default, 31 expedite).' }),
  changed: z.boolean().meta({ description: 'False when the job already was as asked.' }),
  held: z.boolean(),
  hold: jobDetailSchema.shape.hold,
}).meta({ description: 'A job after hold, release or a new priority.' }));

const bulkItemSchema = z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  ok: z.boolean().meta({ description: 'Done (in a dry run: would be done).' }),
  changed: z.boolean().meta({ description: 'The job changed (in a dry run: would change).' }),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
});

export const bulkSchema = component('BulkResult', z.object({
  action: z.enum(BULK_ACTIONS),
  dry_run: z.boolean(),
  summary: z.object({
    requested: z.int().meta({ description: 'Distinct jobs acted on (or selected, in a dry run).' }),
    succeeded: z.int(),
    changed: z.int(),
    failed: z.int(),
    errors: z.partialRecord(z.enum(ERROR_CODES), z.int()).meta({ description: 'Failures by error code.' }),
    more: z.boolean().meta({ description: 'The filter matched more jobs than one request acts on: send it again.' }),
  }),
  results: z.array(bulkItemSchema),
}));

export const tagCountSchema = component('TagCount', z.object({ type: z.string(), name: z.string(), jobs: z.int() }));

export const templateSchema = component('JobTemplate', z.object({
  name: z.string(),
  owner: z.string(),
  shared: z.boolean(),
  description: z.string(),
  parameters: z.record(z.string(), parameterSchema),
  job: templateJobSchema.extend({ command: z.array(z.string()) }),
  revision: z.int(),
  created_at: z.number(),
  updated_at: z.number(),
}));

export const templateSubmitResponseSchema = component('TemplateSubmitted', z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  template: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({ description: 'Every parameter\'s value, given or defaulted.' }),
  job: jobDetailSchema,
}));

/** Data of a `job` event of `GET /v1/events`. */
export const feedEventSchema = component('JobEvent', z.object({
  seq: z.int().meta({ description: 'Position in the event log (also the SSE id: send it back as Last-Event-ID).' }),
  id: jobIdSchema,
  jobid: f58Schema,
  event: z.string().meta({ description: 'Flux eventlog name: submit, depend, priority, urgency, alloc, start, finish, exception, release, free, clean...' }),
  t: z.number(),
  context: z.record(z.string(), z.unknown()).nullable(),
  state: jobStateSchema.meta({ description: 'The state the event left the job in.' }),
  owner: z.string(),
  name: z.string(),
  result: z.union([jobResultSchema, z.literal('')]),
}).meta({ description: 'A job event (data of an SSE `job` event).' }));

/** Data of the `ready` and `checkpoint` events of `GET /v1/events`. */
export const feedPositionSchema = component('EventPosition', z.object({
  seq: z.int().meta({ description: 'Position in the event log reached.' }),
}).meta({ description: 'Data of an SSE `ready` (the backlog is sent) or `checkpoint` (nothing matched up to here) event.' }));

export const versionsSchema = component('ApiVersions', z.object({
  versions: z.array(z.object({ version: z.string(), path: z.string(), status: z.enum(['current', 'deprecated']) })),
  latest: z.string(),
}));

export const latestVersionSchema = component('ApiVersion', z.object({ version: z.string(), path: z.string() }));

export const aboutSchema = component('ServerInfo', z.object({
  jobgate: z.string().meta({ description: 'jobgate version.' }),
  api: z.object({ latest: z.string(), supported: z.array(z.string()) }),
  executor: z.string().meta({ description: 'local, flux or slurm.' }),
  backend: z.object({ name: z.string(), version: z.string().nullable().meta({ description: 'null when the backend does not answer.' }) }),
}));
