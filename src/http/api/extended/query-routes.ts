/**
 * `GET /v1/jobs/query`: the listing that scales. Filters, sorting and paging happen in SQL
 * (a deferred join: only the page's rows are read whole); the answer carries the total, paging
 * in both styles (limit/offset and page/items_per_page) and whether more pages follow.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { param } from '../../validation.js';
import { validationError } from '../../../errors.js';
import { presentJobDetails } from '../../presenters/job.js';
import { setLastModified } from '../../middleware/http-cache.js';
import { standardError } from '../../error-schemas.js';
import { filterQueryShape, metadataParamDoc, parseSort, rejectUnknownParams, selectionFromQuery, sortQueryShape, toJobFilter } from './job-selection.js';
import { jobPageSchema } from './schemas.js';
import type { ExtendedDeps } from './context.js';

const DEFAULT_LIMIT = 100;

const pagingShape = {
  limit: param.int().pipe(z.number().int().min(1).optional()).meta({ description: `Jobs per answer (default ${DEFAULT_LIMIT}; at most the server's page limit).` }),
  offset: param.int().pipe(z.number().int().min(0).optional()).meta({ description: 'Jobs to skip.' }),
  page: param.int().pipe(z.number().int().min(1).optional()).meta({ description: '1-based page (with items_per_page; instead of offset).' }),
  items_per_page: param.int().pipe(z.number().int().min(1).optional()).meta({ description: 'Page size for page (same as limit).' }),
};

export const jobQuerySchema = z.object({ ...filterQueryShape, ...sortQueryShape, ...pagingShape }).meta({ description: metadataParamDoc });

export function queryRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const known = Object.keys(jobQuerySchema.shape);

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/jobs/query',
    summary: 'List jobs: filter, sort, page (scales to 100,000s of jobs)',
    description: `Every filter combines with AND; a list parameter matches any of its values. ${metadataParamDoc} Unknown parameters are refused.`,
    tags: ['jobs'],
    access: 'user',
    errors: 'standard',
    query: jobQuerySchema,
    responses: {
      200: { description: 'One page and the total', schema: jobPageSchema },
      400: { description: 'A parameter is invalid (each named in details)', schema: standardError },
    },
  }, async (ctx, { actor, query }) => {
    rejectUnknownParams(ctx.query, known, true);
    const max = deps.config.maxPageLength;
    if (query.page !== undefined && query.offset !== undefined) {
      throw validationError([{ field: 'page', message: 'give page or offset, not both' }]);
    }
    const limit = query.items_per_page ?? query.limit ?? DEFAULT_LIMIT;
    if (limit > max) {
      throw validationError([{ field: query.items_per_page === undefined ? 'limit' : 'items_per_page', message: `at most ${max}` }]);
    }
    const offset = query.page === undefined ? (query.offset ?? 0) : (query.page - 1) * limit;
    const filter = toJobFilter(selectionFromQuery(query, ctx.query));
    const sort = parseSort(query.sort, query.order);
    const total = deps.jobs.count(filter, actor);
    const jobs = offset >= total ? [] : deps.jobs.query({ ...filter, sort, offset, limit }, actor);
    const now = deps.now();
    // A running job's runtime grows by itself: an answer holding one changes every second.
    setLastModified(ctx, jobs.some((job) => job.state === 'RUN') ? now : deps.services.clock.lastChange);
    ctx.body = {
      items: presentJobDetails(jobs, (ids) => deps.services.labels.labelsFor(ids), now),
      total,
      offset,
      limit,
      page: Math.floor(offset / limit) + 1,
      items_per_page: limit,
      has_more: offset + jobs.length < total,
    };
  });

  return router;
}
