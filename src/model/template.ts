/**
 * What a stored job template is: typed parameters and a job request whose strings may hold
 * `{{ parameter }}` placeholders (the rules that check and render them: domain/templates/).
 */
import { z } from 'zod';

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
/** A string that is one placeholder and nothing else (typed fields). */
export const EXACT_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

const scalar = z.union([z.string().max(65536), z.number(), z.boolean()]);

export const parameterSchema = z.strictObject({
  type: z.enum(PARAMETER_TYPES).meta({ description: 'string, integer, number or boolean' }),
  description: z.string().max(4096).optional(),
  required: z.boolean().optional().meta({ description: 'The submitter must give a value (otherwise the default is used).' }),
  default: scalar.optional().meta({ description: 'Value used when the submitter gives none.' }),
  enum: z.array(z.union([z.string().max(4096), z.number()])).min(1).max(256).optional().meta({ description: 'The only values allowed.' }),
  minimum: z.number().optional().meta({ description: 'Smallest value (integer and number).' }),
  maximum: z.number().optional().meta({ description: 'Largest value (integer and number).' }),
  max_length: z.number().int().min(1).max(65536).optional().meta({ description: 'Longest value (string).' }),
});
export type ParameterSpec = z.infer<typeof parameterSchema>;

const placeholder = z.string().regex(EXACT_PLACEHOLDER, { error: 'expected a value or exactly one {{ parameter }}' });
const intOrPlaceholder = z.union([z.number().int(), placeholder]).optional();

/** The job request of a template: the fields of a submit, each string able to hold placeholders. */
export const templateJobSchema = z.strictObject({
  command: z.union([z.string().min(1).max(128 * 1024), z.array(z.string().max(65536)).min(1).max(10000)])
    .meta({ description: 'argv (an array), or a string split into words when the template is saved.' }),
  num_tasks: intOrPlaceholder,
  cores_per_task: intOrPlaceholder,
  gpus_per_task: intOrPlaceholder,
  num_nodes: intOrPlaceholder,
  exclusive: z.union([z.boolean(), placeholder]).optional(),
  workdir: z.string().max(4096).optional(),
  runtime: z.union([z.number().min(0), placeholder]).optional().meta({ description: 'Seconds; 0 means no limit.' }),
  envars: z.record(z.string().max(256), z.string().max(65536)).optional(),
  option_flags: z.record(z.string().max(256), z.string().max(4096)).optional(),
  job_name: z.string().max(256).optional(),
  urgency: intOrPlaceholder,
  queue: z.string().max(64).optional(),
});
export type TemplateJob = z.infer<typeof templateJobSchema>;

/** A template as it is stored: the command already split into words. */
export interface TemplateDefinition {
  parameters: Record<string, ParameterSpec>;
  job: Omit<TemplateJob, 'command'> & { command: string[] };
}

export interface JobTemplate {
  name: string;
  owner: string;
  shared: boolean;
  description: string;
  definition: TemplateDefinition;
  revision: number;
  createdAt: number;
  updatedAt: number;
}
