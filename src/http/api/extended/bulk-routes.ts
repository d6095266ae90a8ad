/**
 * `POST /v1/jobs/bulk`: cancel, hold or release many jobs — listed by id, or chosen by a filter
 * (only the jobs the action applies to: cancel takes active jobs, hold pending ones that are not
 * held, release held ones). Each job gets its own result and the answer sums them up. Ids may
 * be JSON integers of any size (the body is parsed without rounding) or strings in any job id
 * encoding.
 */
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { parseWith } from '../../validation.js';
import { standardError } from '../../error-schemas.js';
import { validationError, type FieldError } from '../../../errors.js';
import { parseJsonLossless } from '../../../lib/json.js';
import { parseJobId, toF58, type JobId } from '../../../model/job-id.js';
import { BULK_ACTIONS, BULK_LIMIT, type BulkReport } from '../../../domain/job-control.js';
import { filterBodySchema, isEmptySelection, toJobFilter, type SelectionInput } from './job-selection.js';
import { bulkSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const idItem = z.union([z.string().min(1).max(64), z.number().int().min(0), z.bigint().min(0n)]);

/** The body as validated (ids may be bigints: the JSON was parsed losslessly). */
const bulkBody = z.strictObject({
  action: z.enum(BULK_ACTIONS),
  job_ids: z.array(idItem).min(1).max(BULK_LIMIT).optional(),
  filter: filterBodySchema.optional(),
  reason: z.string().max(1024).optional(),
  dry_run: z.boolean().optional(),
});

/** The body as documented (JSON has no bigint: ids are integers or strings). */
const bulkBodyDoc = z.strictObject({
  action: z.enum(BULK_ACTIONS).meta({ description: 'cancel, hold or release' }),
  job_ids: z.array(z.union([z.string(), z.number().meta({ type: 'integer', format: 'int64' })])).max(BULK_LIMIT).optional()
    .meta({ description: `Up to ${BULK_LIMIT} ids: exact JSON integers, or strings (decimal, F58, hex, dothex). Give job_ids or filter.` }),
  filter: filterBodySchema.optional(),
  reason: z.string().max(1024).optional().meta({ description: 'Recorded with a cancel (exception note) or a hold.' }),
  dry_run: z.boolean().optional().meta({ description: 'Only say which jobs would be acted on.' }),
});

function rawJson(ctx: ParameterizedContext): unknown {
  if (!ctx.is('application/json')) {
    throw validationError([{ field: 'body', message: 'send a JSON object (Content-Type: application/json)' }]);
  }
  // koa-body keeps the text it parsed (includeUnparsed); its own parse rounded big integers.
  const text = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof text !== 'string' || text.trim() === '') {
    throw validationError([{ field: 'body', message: 'required' }]);
  }
  try {
    return parseJsonLossless(text);
  } catch (error: unknown) {
    // The lossless parser is stricter than koa-body's (a key twice is refused): still the caller's error.
    throw validationError([{ field: 'body', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

function jobIds(items: readonly (string | number | bigint)[]): JobId[] {
  const problems: FieldError[] = [];
  const ids = items.map((item, index) => {
    const id = typeof item === 'string' ? parseJobId(item) : typeof item === 'number' ? BigInt(item) : item < 1n << 64n ? item : null;
    if (id === null) {
      problems.push({ field: `job_ids[${index}]`, message: `'${String(item).slice(0, 64)}' is not a job id` });
    }
    return id ?? 0n;
  });
  if (problems.length > 0) {
    throw validationError(problems);
  }
  return ids;
}

function present(report: BulkReport): Record<string, unknown> {
  const errors: Record<string, number> = {};
  for (const item of report.items) {
    if (item.error !== undefined) {
      errors[item.error.code] = (errors[item.error.code] ?? 0) + 1;
    }
  }
  const failed = report.items.filter((item) => !item.ok).length;
  return {
    action: report.action,
    dry_run: report.dryRun,
    summary: {
      requested: report.items.length,
      succeeded: report.items.length - failed,
      changed: report.items.filter((item) => item.changed).length,
      failed,
      errors,
      more: report.more,
    },
    results: report.items.map((item) => ({ id: item.id, jobid: toF58(item.id), ok: item.ok, changed: item.changed, ...(item.error === undefined ? {} : { error: item.error }) })),
  };
}

export function bulkRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/jobs/bulk',
    summary: 'Cancel, hold or release many jobs',
    description: `Give \`job_ids\` or \`filter\` (not both; an empty filter is refused). A filter acts on at most ${BULK_LIMIT} jobs, oldest first; \`summary.more\` says to send it again. ` +
      'Each job succeeds or fails on its own (a job you may not see is RESOURCE_NOT_FOUND, one that cannot change RESOURCE_CONFLICT).',
    tags: ['jobs'],
    access: 'user',
    noStore: true,
    body: bulkBodyDoc,
    bodyHandledByRoute: true,
    responses: {
      200: { description: 'Per-job results and a summary', schema: bulkSchema },
      400: { description: 'Invalid body (each problem named in details)', schema: standardError },
    },
  }, async (ctx, { actor }) => {
    const body = parseWith(bulkBody, rawJson(ctx), 'body');
    if ((body.job_ids === undefined) === (body.filter === undefined)) {
      throw validationError([{ field: 'job_ids', message: 'give job_ids or filter (one of them)' }]);
    }
    let ids: JobId[];
    let more = false;
    if (body.job_ids !== undefined) {
      ids = jobIds(body.job_ids);
    } else {
      const { metadata, ...rest } = body.filter ?? {};
      const selection: SelectionInput = {
        ...rest,
        metadata: metadata === undefined ? undefined : Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, value ?? undefined])),
      };
      if (isEmptySelection(selection)) {
        throw validationError([{ field: 'filter', message: 'is empty: say which jobs (to act on all of yours, use state=active)' }]);
      }
      const selected = deps.services.control.select(body.action, toJobFilter(selection), actor);
      ids = selected.ids;
      more = selected.more;
    }
    const report = await deps.services.control.bulk(body.action, ids, actor, { reason: body.reason, dryRun: body.dry_run, more });
    ctx.body = present(report);
  });

  return router;
}
