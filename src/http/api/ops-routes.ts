/**
 * Operating jobgate: `/health` (liveness: answers while the process serves HTTP, touching
 * nothing else), `/ready` (the backend answers; 503 otherwise, and while stopping),
 * `/metrics` (Prometheus text) and `/openapi.json` (this API, generated from the route
 * declarations). `GET /` stays the flux-operator's readiness probe; these are for everyone else.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import type { JobService } from '../../domain/jobs-service.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppState } from '../state.js';
import { requireSuperuser } from '../middleware/auth.js';
import { defineRoute, type ApiCatalog, type ResponseDoc } from '../route.js';
import { detailError } from '../error-schemas.js';
import { component } from '../openapi/components.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/document.js';

export interface OpsDeps {
  config: Config;
  jobs: JobService;
  metrics: Metrics;
  version: string;
  startedAt: number;
}

const health = component('Health', z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptime_seconds: z.number(),
}));

const readiness = component('Readiness', z.object({
  status: z.enum(['ready', 'unavailable']),
  executor: z.string(),
}));

/** A peer on this machine (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

function metricsAccessDoc(config: Config): { text: string; responses: Record<number, ResponseDoc> } {
  const refused: Record<number, ResponseDoc> = config.requireAuth
    ? { 401: { description: 'Credentials needed', schema: detailError }, 403: { description: 'Not a superuser', schema: detailError } }
    : {};
  switch (config.metricsAccess) {
    case 'public':
      return { text: 'Readable by anyone (JOBGATE_METRICS=public).', responses: {} };
    case 'superuser':
      return { text: 'Readable by superusers only (JOBGATE_METRICS=superuser).', responses: {} };
    default:
      return { text: 'Readable without credentials from this machine (loopback); from elsewhere a superuser is needed (JOBGATE_METRICS=loopback, the default).', responses: refused };
  }
}

export function opsRoutes(deps: OpsDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  // Paths below these are the service's, not pages: an unknown one is answered in JSON.
  for (const prefix of ['/health', '/ready', '/metrics', '/openapi']) {
    catalog.addSpace(prefix, 'compat');
  }

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'health',
    path: '/health',
    summary: 'Liveness',
    description: 'Answers 200 while jobgate serves HTTP; contacts neither the backend nor the store.',
    tags: ['service'],
    access: 'public',
    errors: 'compat',
    cache: 'no-store',
    responses: { 200: { description: 'Alive', schema: health } },
  }, async (ctx) => {
    ctx.body = { status: 'ok', version: deps.version, uptime_seconds: Math.round((Date.now() - deps.startedAt) / 100) / 10 };
  });

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'ready',
    path: '/ready',
    summary: 'Readiness',
    description: 'Asks the backend (Flux, Slurm, or the local executor) whether it answers. 503 when it does not, or while jobgate is stopping.',
    tags: ['service'],
    access: 'public',
    errors: 'compat',
    cache: 'no-store',
    responses: {
      200: { description: 'Ready to take jobs', schema: readiness },
      503: { description: 'Not ready', schema: readiness, headers: { 'Retry-After': 'Seconds to wait' } },
    },
  }, async (ctx) => {
    const ready = await deps.jobs.ready();
    if (!ready) {
      ctx.set('Retry-After', '5');
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', executor: deps.jobs.executorName };
  });

  if (deps.config.metricsAccess !== 'off') {
    const access = metricsAccessDoc(deps.config);
    defineRoute(router, catalog, {
      method: 'get',
      operationId: 'metrics',
      path: '/metrics',
      summary: 'Prometheus metrics',
      description: `Prometheus text format: jobs by state, submits and their latency, output bytes, live followers, HTTP durations by route and status, process metrics. Labels never name jobs or users. ${access.text}`,
      tags: ['service'],
      access: deps.config.metricsAccess === 'superuser' ? 'superuser' : 'public',
      errors: 'compat',
      cache: 'no-store',
      responses: { 200: { description: 'Metrics', contentType: 'text/plain', schema: z.string() }, ...access.responses },
    }, async (ctx) => {
      if (deps.config.metricsAccess === 'loopback' && !isLoopbackAddress(ctx.ip)) {
        requireSuperuser(ctx);
      }
      ctx.type = deps.metrics.contentType;
      ctx.body = await deps.metrics.text();
    });
  }

  let document: OpenApiDocument | null = null;
  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'openapi',
    path: '/openapi.json',
    summary: 'This API (OpenAPI 3.1)',
    description: 'Generated from the same declarations that validate requests; browse it at /docs.',
    tags: ['service'],
    access: 'public',
    errors: 'compat',
    // Outside the JSON API's caching, as flux-restful-api served it: no validators.
    cache: 'none',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  }, async (ctx) => {
    // Built on first use: by then every router has declared its routes.
    document ??= buildOpenApiDocument(catalog, {
      version: deps.version,
      authRequired: deps.config.requireAuth,
      executor: deps.jobs.executorName,
      rateLimited: deps.config.rateLimit.perSecond > 0,
    });
    ctx.body = document;
  });

  return router;
}
