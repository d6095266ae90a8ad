/**
 * What a route declares about itself: method, path, access, inputs, answers, and the traits the
 * machinery around it reads (its error shape, its HTTP caching). One declaration serves the
 * router, the middleware and the OpenAPI document, so they cannot disagree.
 */
import type { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Access = 'public' | 'user' | 'superuser';

/**
 * The shape of a route's errors: `compat` keeps flux-restful-api's bodies (`{"Message": ...}`,
 * `{"detail": ...}`, FastAPI's 422) for its clients; `standard` is the one shape of the routes
 * beyond it, `{"error": {code, message, details, request_id}}`, with 400 for bad input.
 */
export type ErrorShape = 'compat' | 'standard';

/**
 * HTTP caching of a route's JSON GET answers: `revalidate` (ETag, `private, no-cache`, 304,
 * stale-if-error; the default), `no-store` (the route sets `Cache-Control: no-store`; never a
 * 304), `none` (left alone: no validators, no Cache-Control).
 */
export type CachePolicy = 'revalidate' | 'no-store' | 'none';

export interface ResponseDoc {
  description: string;
  /** The body (JSON unless `contentType` says otherwise); the OpenAPI document shows it and tests validate real answers against it. */
  schema?: z.ZodType;
  contentType?: string;
  /** Other content types the same status may answer with (e.g. raw bytes), each with its schema if it has one. */
  alternatives?: Record<string, z.ZodType | undefined>;
  /** Response headers worth documenting, name → description. */
  headers?: Record<string, string>;
}

export interface RouteSpec<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Stable name for generated clients (derived from method and path when absent). */
  operationId?: string;
  /** Router path, e.g. `/v1/jobs/:jobid`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  /** The shape of every error of this route, thrown by it or before it (CSRF, body parser). */
  errors: ErrorShape;
  /** HTTP caching of its answers (default `revalidate`). */
  cache?: CachePolicy;
  /** Path parameters, documented (they are parsed by the handler). */
  pathParams?: Record<string, string>;
  query?: Q;
  body?: B;
  /** Content types the body may have (default application/json). */
  bodyTypes?: string[];
  /** The body is read by the handler itself (several accepted shapes); the schema documents it. */
  bodyHandledByRoute?: boolean;
  /** An admin route (service/stop, users, purge): only callers from JOBGATE_ADMIN_ALLOW's addresses, if set. */
  admin?: boolean;
  responses: Record<number, ResponseDoc>;
}

/** The route's caching, its default filled in. */
export function cachePolicy(spec: Pick<RouteSpec, 'cache'>): CachePolicy {
  return spec.cache ?? 'revalidate';
}
