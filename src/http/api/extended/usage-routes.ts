/**
 * `GET /v1/jobs/{id}/metrics`: what a job used over time (columns per metric) and its summary.
 * `since` gives only newer samples, so a live chart asks for what it has not drawn yet.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { jobIdParam, JOBID_PATH } from '../v1/params.js';
import { standardError } from '../../error-schemas.js';
import { validationError } from '../../../errors.js';
import { presentSeries, presentUsageSummary, usageSeriesSchema, usageSummarySchema } from '../../presenters/usage.js';
import { jobIdSchema, jobStateSchema } from '../../presenters/job-schemas.js';
import { USAGE_METRICS, type UsageMetric } from '../../../model/usage.js';
import { component } from '../../openapi/components.js';
import { param } from '../../validation.js';
import { timeValue } from './filter-values.js';
import type { ExtendedDeps } from './context.js';

const metricsQuery = z.object({
  metric: param.string(200).meta({ description: `Comma-separated, any of ${USAGE_METRICS.join(', ')} (default: all).` }),
  since: timeValue().meta({ description: 'Only samples after this time (epoch seconds or ISO 8601).' }),
});

const metricsAnswer = component('JobMetrics', z.object({
  id: jobIdSchema,
  state: jobStateSchema,
  interval: z.number().meta({ description: 'Seconds between samples (0: sampling is off or this executor cannot measure).' }),
  metrics: z.array(z.enum(USAGE_METRICS)),
  series: usageSeriesSchema,
  summary: usageSummarySchema,
}).meta({ description: 'A job\'s usage series and summary.' }));

/** The metrics asked for, each checked (a 400 names `metric` and the word it does not know). */
export function parseMetrics(text: string | undefined): UsageMetric[] {
  if (text === undefined || text.trim() === '') {
    return [...USAGE_METRICS];
  }
  const words = text.split(',').map((word) => word.trim().toLowerCase()).filter((word) => word !== '');
  const unknown = words.filter((word) => !(USAGE_METRICS as readonly string[]).includes(word));
  if (unknown.length > 0 || words.length === 0) {
    throw validationError([{ field: 'metric', message: `unknown metric '${unknown.join(', ')}'; use ${USAGE_METRICS.join(', ')}` }]);
  }
  return USAGE_METRICS.filter((metric) => words.includes(metric));
}

export function usageRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const usage = deps.services.usage;

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/jobs/:jobid/metrics',
    summary: 'What a job used: CPU, memory and GPU over time, and its summary',
    description: 'Samples are taken while the job runs (every few seconds; older ones merged into coarser buckets). Not cached by the browser: a running job\'s series grows.',
    tags: ['jobs'],
    access: 'user',
    pathParams: JOBID_PATH,
    query: metricsQuery,
    errors: 'standard',
    cache: 'no-store',
    responses: {
      200: { description: 'The series and summary', schema: metricsAnswer },
      400: { description: 'Not a job id, or an unknown metric or time (named in details)', schema: standardError },
      404: { description: 'No such job (or not yours)', schema: standardError },
    },
  }, async (ctx, { actor, query }) => {
    const metrics = parseMetrics(query.metric);
    const id = jobIdParam(ctx.params.jobid);
    const job = deps.jobs.get(id, actor);
    const { samples, summary } = usage.series(id, actor, query.since ?? 0);
    ctx.body = { id: job.id, state: job.state, interval: usage.intervalSeconds, metrics, series: presentSeries(samples, metrics), summary: presentUsageSummary(summary) };
  });

  return router;
}
