/**
 * `GET /v1/jobs/export`: a filtered job list as CSV (header row first), a JSON array, or JSON
 * lines, with chosen fields. Streamed as the client reads it: rows are read from the store only
 * when the socket takes more, so 100,000 jobs cost no more memory than ten.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { param } from '../../validation.js';
import { validationError } from '../../../errors.js';
import { standardError } from '../../error-schemas.js';
import { DEFAULT_EXPORT_FIELDS, EXPORT_FIELDS, EXPORT_FORMATS, ExportWriter, LABEL_FIELDS } from '../../presenters/job-export.js';
import type { ExportRow } from '../../../domain/job-exports.js';
import { filterQueryShape, metadataParamDoc, parseSort, rejectUnknownParams, selectionFromQuery, sortQueryShape, toJobFilter } from './job-selection.js';
import { stringList } from './filter-values.js';
import type { ExtendedDeps } from './context.js';

/** Bytes gathered before handing a piece to the socket (fewer, larger writes). */
const PIECE_BYTES = 64 * 1024;

export const exportQuerySchema = z.object({
  format: param.enumOf(EXPORT_FORMATS).meta({ description: 'csv (default), json (an array) or ndjson (one object per line).' }),
  fields: stringList(64).meta({ description: `Columns, in order (default: ${DEFAULT_EXPORT_FIELDS.join(',')}). Any of: ${EXPORT_FIELDS.join(', ')}.` }),
  times: param.enumOf(['epoch', 'iso'] as const).meta({ description: 'Times as epoch seconds (default) or ISO 8601 UTC.' }),
  ...filterQueryShape,
  ...sortQueryShape,
}).meta({ description: metadataParamDoc });

function* pieces(rows: Iterable<ExportRow>, writer: ExportWriter): Generator<string> {
  let piece = writer.head();
  let count = 0;
  for (const row of rows) {
    piece += writer.row(row, count === 0);
    count += 1;
    if (piece.length >= PIECE_BYTES) {
      yield piece;
      piece = '';
    }
  }
  yield piece + writer.tail(count);
}

export function exportRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const known = Object.keys(exportQuerySchema.shape);

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/jobs/export',
    summary: 'Export jobs as CSV or JSON',
    description: `The same filters and sort as /v1/jobs/query, every matching job (no paging). ${metadataParamDoc}`,
    tags: ['jobs'],
    access: 'user',
    errors: 'standard',
    cache: 'no-store',
    query: exportQuerySchema,
    responses: {
      200: {
        description: 'The rows (Content-Disposition: attachment), as the format asks',
        contentType: 'text/csv',
        schema: z.string(),
        alternatives: { 'application/json': z.array(z.record(z.string(), z.unknown())), 'application/x-ndjson': z.string() },
      },
      400: { description: 'A parameter is invalid (each named in details)', schema: standardError },
    },
  }, async (ctx, { actor, query }) => {
    rejectUnknownParams(ctx.query, known, true);
    const fields = query.fields ?? DEFAULT_EXPORT_FIELDS;
    const unknown = fields.filter((field) => !EXPORT_FIELDS.includes(field));
    if (unknown.length > 0) {
      throw validationError(unknown.map((field) => ({ field: 'fields', message: `'${field}' is not a field (${EXPORT_FIELDS.join(', ')})` })));
    }
    const filter = toJobFilter(selectionFromQuery(query, ctx.query));
    const sort = parseSort(query.sort, query.order);
    const format = query.format ?? 'csv';
    const writer = new ExportWriter(format, fields, query.times ?? 'epoch', deps.now());
    const rows = deps.services.exports.rows({ ...filter, sort }, actor, fields.some((field) => LABEL_FIELDS.has(field)));
    const stamp = new Date(deps.now() * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    ctx.set('Content-Disposition', `attachment; filename="jobs-${stamp}.${format === 'ndjson' ? 'jsonl' : format}"`);
    ctx.type = writer.contentType;
    // Readable.from pulls the next piece only when the socket has room (backpressure); a client
    // that goes away destroys the stream, which ends the generator and closes the reader.
    ctx.body = Readable.from(pieces(rows, writer), { objectMode: false, highWaterMark: PIECE_BYTES });
  });

  return router;
}
