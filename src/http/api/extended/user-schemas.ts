/** Answer and input schemas of `/v1/users` and `/v1/users/me/keys`. */
import { z } from 'zod';
import { JOB_STATES } from '../../../model/job.js';
import { component } from '../../openapi/components.js';

export const whoAmISchema = component('WhoAmI', z.object({
  name: z.string(),
  role: z.enum(['superuser', 'user']),
  credential: z.enum(['token', 'session', 'api_key', 'none']).meta({ description: 'How this request proved who it is (`none`: auth is off, everyone is the local superuser).' }),
  expires_at: z.number().nullable().meta({ description: 'When the credential stops working (epoch seconds); null: never (auth off, or a key without expiry).' }),
  read_only: z.boolean().meta({ description: 'Only reads are allowed with this credential.' }),
  api_key: z.string().nullable().meta({ description: 'The API key\'s name, when the credential is one (or a token obtained with one).' }),
}));

const jobsByState = z.object(Object.fromEntries(JOB_STATES.map((state) => [state, z.int()])) as Record<(typeof JOB_STATES)[number], z.ZodInt>);

export const usersListSchema = component('UserFigures', z.object({
  users: z.array(z.object({
    name: z.string(),
    role: z.enum(['superuser', 'user']).nullable().meta({ description: 'null: owns jobs but is no registered user (auth was off when they were submitted).' }),
    jobs: jobsByState.meta({ description: 'The user\'s jobs in each state.' }),
    jobs_total: z.int(),
    cpu_seconds: z.number().meta({ description: 'Cores × runtime over all the user\'s jobs (running ones up to now).' }),
  })),
}));

export const apiKeySchema = component('ApiKey', z.object({
  name: z.string(),
  prefix: z.string().meta({ description: 'The key\'s first characters, to tell keys apart.' }),
  read_only: z.boolean(),
  created_at: z.number(),
  expires_at: z.number().nullable(),
  last_used_at: z.number().nullable(),
}));

export const newApiKeySchema = component('NewApiKey', apiKeySchema.extend({
  key: z.string().meta({ description: 'The key itself (`jg_...`): shown this once, stored only as a hash.' }),
}));

export const apiKeyListSchema = z.object({ keys: z.array(apiKeySchema) });

export const newKeyBody = z.strictObject({
  name: z.string().meta({ description: 'Unique among your keys: 1-64 letters, digits or . _ -' }),
  read_only: z.boolean().optional().meta({ description: 'May list, read and follow only (default false).' }),
  expires: z.string().optional().meta({ description: 'A duration such as 90d or 12h (default: until revoked).' }),
});
