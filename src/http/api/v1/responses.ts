/**
 * Response schemas of the v1 routes (the API documentation shows them; a test validates real
 * answers against them). Job records are in presenters/job-schemas.ts, errors in error-schemas.ts.
 */
import { z } from 'zod';
import { STREAMS } from '../../../output/layout.js';
import { component } from '../../openapi/components.js';
import { jobDetailSchema, jobIdSchema, jobResultSchema, jobStateSchema, jobSummarySchema } from '../../presenters/job-schemas.js';

export const submitAccepted = component('SubmitAccepted', z.object({
  Message: z.literal('Job submit.'),
  id: jobIdSchema,
}));

export const submitRefused = component('SubmitRefused', z.object({
  Message: z.string().meta({ description: '"Invalid submit request", or "A \'command\' is minimally required."' }),
  Errors: z.array(z.string()).optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
}));

export const jobListing = component('JobListing', z.union([
  z.object({ jobs: z.array(jobSummarySchema) }).meta({ description: 'Default.' }),
  z.record(z.string().regex(/^\d+$/), jobDetailSchema).meta({ description: 'details=true: keyed by decimal id.' }),
  z.array(jobDetailSchema).meta({ description: 'details=true&listing=true.' }),
]));

export const cancelAnswer = component('CancelAnswer', z.object({
  Message: z.string(),
  id: z.string().meta({ description: 'The id as given in the path (a string, as in flux-restful-api).' }),
}));

export const searchPage = component('SearchPage', z.object({
  draw: z.int(),
  recordsTotal: z.int().meta({ description: 'Jobs the caller may see.' }),
  recordsFiltered: z.int().meta({ description: 'With draw: matches before paging; without: rows returned (flux-restful-api).' }),
  data: z.array(jobDetailSchema),
}));

const outputMeta = {
  cursor: z.int().meta({ description: 'Where to continue from (`since`).' }),
  start: z.int(),
  size: z.int().meta({ description: 'Bytes of the view so far.' }),
  stream: z.enum(['stdout', 'stderr', 'all']),
  complete: z.boolean().meta({ description: 'The job has ended and everything was returned.' }),
  truncated: z.boolean().meta({ description: 'More bytes exist after cursor (max_bytes).' }),
};

export const outputChunk = component('OutputChunk', z.object({
  stream: z.enum(STREAMS),
  data: z.string(),
  encoding: z.literal('base64').optional().meta({ description: 'Present when data is not valid UTF-8.' }),
}));

export const outputPage = component('OutputPage', z.union([
  z.object({ Message: z.string().optional().meta({ description: 'When there is no output yet.' }), Output: z.array(z.string()), ...outputMeta }),
  z.object({ chunks: z.array(outputChunk), ...outputMeta }),
]));

export const outputStateEvent = component('OutputStateEvent', z.object({
  event: z.string().meta({ description: '"current" first, then the job event that changed it.' }),
  state: jobStateSchema,
  result: z.union([jobResultSchema, z.literal('')]),
  returncode: z.union([z.int(), z.literal('')]),
  t: z.number(),
}).meta({ description: 'Data of an SSE `state` event.' }));

export const outputEndEvent = component('OutputEndEvent', z.object({
  reason: z.string().meta({ description: '"job ended", "output ended" or "service stopping".' }),
  job: jobDetailSchema.optional(),
}).meta({ description: 'Data of the final SSE `end` event.' }));

export const outputErrorEvent = component('OutputErrorEvent', z.object({
  message: z.string(),
}).meta({ description: 'Data of an SSE `error` event.' }));

export const nodeDetail = component('NodeDetail', z.object({
  name: z.string(),
  state: z.string(),
  cores: z.int(),
  cores_busy: z.int(),
  cores_free: z.int(),
  gpus: z.int(),
  gpus_busy: z.int(),
  gpus_free: z.int(),
  jobs: z.array(jobIdSchema).meta({ description: 'Running jobs the caller may see.' }),
}));

export const nodesAnswer = component('Nodes', z.object({
  nodes: z.array(z.string()),
  details: z.array(nodeDetail).optional(),
}));

export const accessToken = component('AccessToken', z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.int().meta({ description: 'Seconds.' }),
}));
