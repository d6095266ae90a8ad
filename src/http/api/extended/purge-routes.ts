/**
 * `POST /v1/jobs/purge` (superuser, admin route): removes ended jobs for good — their events,
 * labels and output — chosen with the listing's filters, or only reports what would go
 * (`dry_run`). Parameters travel in the query string, as for every POST of flux-restful-api's
 * clients. An empty selection is refused: "every ended job" is said with `state=inactive`.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { param } from '../../validation.js';
import { validationError } from '../../../errors.js';
import { REPORTED_IDS } from '../../../domain/job-purge.js';
import { component } from '../../openapi/components.js';
import { jobIdSchema } from '../../presenters/job-schemas.js';
import { standardError } from '../../error-schemas.js';
import { filterQueryShape, isEmptySelection, metadataParamDoc, rejectUnknownParams, selectionFromQuery, toJobFilter } from './job-selection.js';
import type { ExtendedDeps } from './context.js';

const purgeQuery = z.object({
  ...filterQueryShape,
  dry_run: param.bool().meta({ description: 'true: change nothing, report what would go.' }),
}).meta({ description: metadataParamDoc });

const purgeSchema = component('PurgeReport', z.object({
  dry_run: z.boolean(),
  jobs: z.int().meta({ description: 'Ended jobs removed (in a dry run: that would be).' }),
  output_bytes: z.int().meta({ description: 'Disk space of their output, freed (in a dry run: that would be), as du counts it.' }),
  ids: z.array(jobIdSchema).meta({ description: `The first ${REPORTED_IDS} of them, oldest end first.` }),
}));

export function purgeRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const known = Object.keys(purgeQuery.shape);

  defineRoute(router, catalog, {
    method: 'post',
    path: '/v1/jobs/purge',
    summary: 'Remove ended jobs for good: events, labels and output (superuser)',
    description:
      `Only INACTIVE jobs are removed; a state filter without INACTIVE removes nothing. The listing's filters select them (e.g. \`ended[to]=<time>\`, \`owner\`, \`tag\`). ${metadataParamDoc} ` +
      'Removed jobs answer 404 on every route; their events leave the global feed (positions are never reused, followers step over the gap).',
    tags: ['jobs'],
    access: 'superuser',
    admin: true,
    noStore: true,
    query: purgeQuery,
    responses: {
      200: { description: 'What went (or would go)', schema: purgeSchema },
      400: { description: 'A parameter is invalid, or the selection is empty (each named in details)', schema: standardError },
    },
  }, async (ctx, { actor, query }) => {
    rejectUnknownParams(ctx.query, known, true);
    const selection = selectionFromQuery(query, ctx.query);
    if (isEmptySelection(selection)) {
      throw validationError([{ field: 'ended[to]', message: 'say which jobs (e.g. ended[to]=<time>; every ended job: state=inactive)' }]);
    }
    const report = await deps.services.purge.purge(toJobFilter(selection), actor, { dryRun: query.dry_run ?? false });
    ctx.body = { dry_run: report.dryRun, jobs: report.jobs, output_bytes: report.outputBytes, ids: report.ids };
  });

  return router;
}
