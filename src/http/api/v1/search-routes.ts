/**
 * `GET /v1/jobs/search`: DataTables server-side processing done in SQL. With `draw` present the
 * answer follows DataTables' contract (recordsFiltered = matches before paging); without it,
 * flux-restful-api's meaning (recordsFiltered = rows returned), which its clients assert.
 * Column filters: state, result, owner, name, and (the job table's) tags and held.
 */
import { isSortColumn, type JobQuery } from '../../../model/job-query.js';
import type { TagRef } from '../../../model/job-labels.js';
import Router from '@koa/router';
import { z } from 'zod';
import { JOB_RESULTS, JOB_STATES, type JobResult, type JobState } from '../../../model/job.js';
import { parseTagRef } from '../../../domain/job-labels.js';
import { parseBoolean } from '../../../lib/parse.js';
import type { AppState } from '../../state.js';
import { presentJobDetails } from '../../presenters/job.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { param, parseWith } from '../../validation.js';
import { searchQuery } from './schemas.js';
import { searchPage } from './responses.js';
import type { ApiDeps } from './context.js';

const MAX_COLUMNS = 64;

/** The DataTables parameters whose names carry an index (columns[i][...], order[i][...]). */
const indexedParams = z.record(z.string(), z.unknown());
const columnParam = param.string(64);
const filterParam = param.string(256);
const orderIndex = param.int().pipe(z.number().int().min(0).max(MAX_COLUMNS).optional());
const orderDirection = param.enumOf(['asc', 'desc', 'ASC', 'DESC'] as const);

export function searchRoutes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'searchJobs',
    path: '/v1/jobs/search',
    summary: 'Search jobs (DataTables server-side processing)',
    description: 'Pages, sorts and filters in SQL. With `draw` the answer follows DataTables (recordsFiltered = matches before paging); without it, flux-restful-api (recordsFiltered = rows returned).',
    tags: ['jobs'],
    access: 'user',
    noStore: true,
    query: searchQuery,
    responses: { 200: { description: 'One page of matching jobs', schema: searchPage } },
  }, async (ctx, { actor, query }) => {
    const raw = parseWith(indexedParams, ctx.query, 'query');
    const read = <T>(schema: z.ZodType<T>, name: string): T => parseWith(z.object({ [name]: schema }), { [name]: raw[name] }, 'query')[name] as T;
    const draw = query.draw;
    const start = query.start ?? 0;
    const text = query['search[value]'] ?? query.search ?? query.query;
    const max = deps.config.maxPageLength;
    const limit = query.length === undefined || query.length < 0 ? max : Math.min(query.length, max);

    const sort: JobQuery['sort'] = [];
    const states: JobState[] = [];
    const results: JobResult[] = [];
    const owners: string[] = [];
    const names: string[] = [];
    const tags: TagRef[] = [];
    let held: boolean | undefined;
    for (let index = 0; index < MAX_COLUMNS; index += 1) {
      if (raw[`columns[${index}][data]`] === undefined) {
        continue;
      }
      const column = read(columnParam, `columns[${index}][data]`);
      const filter = read(filterParam, `columns[${index}][search][value]`)?.trim();
      if (column === undefined || filter === undefined || filter === '') {
        continue;
      }
      if (column === 'state' && (JOB_STATES as readonly string[]).includes(filter.toUpperCase())) {
        states.push(filter.toUpperCase() as JobState);
      } else if (column === 'result' && (JOB_RESULTS as readonly string[]).includes(filter.toUpperCase())) {
        results.push(filter.toUpperCase() as JobResult);
      } else if (column === 'owner') {
        owners.push(filter);
      } else if (column === 'name') {
        names.push(filter);
      } else if (column === 'tags') {
        // `type:name` or `name`, comma-separated: the job carries them all (a tag that cannot exist matches nothing).
        tags.push(...filter.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '').map(parseTagRef));
      } else if (column === 'held') {
        held = parseBoolean(filter);
      }
    }
    for (let index = 0; index < MAX_COLUMNS; index += 1) {
      if (raw[`order[${index}][column]`] === undefined) {
        continue;
      }
      const columnIndex = read(orderIndex, `order[${index}][column]`);
      const direction = (read(orderDirection, `order[${index}][dir]`) ?? 'asc').toLowerCase() as 'asc' | 'desc';
      const column = columnIndex === undefined ? undefined : (read(columnParam, `columns[${columnIndex}][data]`) ?? read(columnParam, `order[${index}][name]`));
      if (column !== undefined && isSortColumn(column)) {
        sort.push({ column, direction });
      }
    }

    const filter = {
      text,
      ...(states.length > 0 ? { states } : {}),
      ...(results.length > 0 ? { results } : {}),
      ...(owners.length > 0 ? { owners } : {}),
      ...(names.length > 0 ? { names } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(held !== undefined ? { held } : {}),
    };
    const total = deps.jobs.count({}, actor);
    const hasFilter = Boolean(text?.trim()) || states.length + results.length + owners.length + names.length + tags.length > 0 || held !== undefined;
    const { rows, filtered } = hasFilter
      ? deps.jobs.page({ ...filter, sort, offset: start, limit }, actor)
      : { rows: start >= total ? [] : deps.jobs.query({ sort, offset: start, limit }, actor), filtered: total };
    const now = deps.now();
    ctx.body = {
      draw: draw ?? 1,
      recordsTotal: total,
      recordsFiltered: draw === undefined ? rows.length : filtered,
      data: presentJobDetails(rows, (ids) => deps.extended.labels.labelsFor(ids), now),
    };
  });

  return router;
}
