/**
 * The shapes `presenters/job.ts` and `presenters/job-labels.ts` write, as schemas for the API
 * documentation (kept beside the presenters so they change together; a test validates real
 * answers against them). `""` stands for a value not known (yet), as in flux-restful-api. One
 * job shape everywhere: every answer that holds a job's detail holds this one, labels included.
 */
import { z } from 'zod';
import { JOB_RESULTS, JOB_STATES } from '../../model/job.js';
import { component } from '../openapi/components.js';
import { usageSummarySchema } from './usage.js';

const unknownYet = z.literal('');

function orBlank<T extends z.ZodType>(schema: T): z.ZodUnion<[T, typeof unknownYet]> {
  return z.union([schema, unknownYet]);
}

/** 64-bit (Flux FLUID): rendered as `integer`/`int64` and written as an exact JSON integer, never a rounded double. */
export const jobIdSchema = z.bigint().meta({ description: 'Job id: a 64-bit integer, written exactly (read it with a parser that keeps big integers).' });

/** The same id in F58 (ƒ-prefixed), as Flux prints it. */
export const f58Schema = z.string().meta({ description: 'The id in F58 (ƒ…), as Flux prints it.' });

export const jobStateSchema = z.enum(JOB_STATES);
export const jobResultSchema = z.enum(JOB_RESULTS);

const timestamp = z.number().meta({ description: 'Seconds since the epoch.' });

export const tagSchema = component('Tag', z.object({
  type: z.string().meta({ description: '`default` unless given (`type:name`).' }),
  name: z.string(),
}));

/** A job's tags, metadata and hold (presenters/job-labels.ts). */
const labelsShape = {
  tags: z.array(tagSchema),
  metadata: z.record(z.string(), z.string()),
  held: z.boolean().meta({ description: 'Urgency 0 and not started.' }),
  hold: z.object({
    reason: z.string(),
    held_by: z.string(),
    t: timestamp,
  }).nullable().meta({ description: 'Why and by whom the job is held (null when it is not held, or was held by setting urgency 0 at submit).' }),
};

export const jobLabelsSchema = component('JobLabels', z.object(labelsShape));

export const jobDetailSchema = component('JobDetail', z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  userid: z.int(),
  username: z.string(),
  owner: z.string().meta({ description: 'The jobgate user who submitted it.' }),
  urgency: z.int(),
  priority: z.int(),
  t_submit: timestamp,
  t_depend: timestamp.optional(),
  t_priority: timestamp.optional(),
  t_sched: timestamp.optional(),
  t_run: timestamp.optional(),
  t_cleanup: timestamp.optional(),
  t_inactive: timestamp.optional(),
  state: jobStateSchema,
  name: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  queue: z.string(),
  executor: z.string(),
  slurm_id: z.string().optional().meta({ description: 'With the slurm executor: the Slurm job id ("123", or "123.4" for a step).' }),
  ntasks: z.int(),
  ncores: z.int(),
  ngpus: z.int(),
  duration: z.number().meta({ description: 'Time limit in seconds (0: none).' }),
  nnodes: orBlank(z.int()),
  ranks: z.string(),
  nodelist: z.string(),
  expiration: orBlank(z.number()),
  success: z.boolean().optional().meta({ description: 'Once inactive.' }),
  exception_occurred: z.boolean().optional().meta({ description: 'Once inactive.' }),
  result: orBlank(jobResultSchema),
  returncode: orBlank(z.int()).meta({ description: '"" until the job has ended.' }),
  runtime: z.number().meta({ description: 'Seconds run so far (or in all).' }),
  waitstatus: orBlank(z.int()),
  exception: z.object({
    occurred: z.union([z.boolean(), unknownYet]),
    severity: orBlank(z.int()),
    type: z.string(),
    note: z.string(),
  }),
  ...labelsShape,
  usage: usageSummarySchema,
}).meta({ description: 'A job, as Flux job-list describes it (flux-restful-api shape), with its tags, metadata and hold, and what it used (`usage`).' }));

export const jobSummarySchema = component('JobSummary', z.object({
  id: jobIdSchema,
  jobid: f58Schema,
  name: z.string(),
  owner: z.string(),
  state: jobStateSchema,
  result: orBlank(jobResultSchema),
  returncode: orBlank(z.int()),
  t_submit: timestamp,
}).meta({ description: 'The short record of a job listing.' }));
