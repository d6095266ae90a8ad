/**
 * Declaring a route once: its method, path, documentation and input schemas. `defineRoute`
 * registers the handler on a router (validating the query and body first) and records the
 * declaration in the ApiCatalog, from which the OpenAPI document is generated — so the
 * document can never describe inputs other than those actually validated.
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { Actor } from '../model/job.js';
import type { AppState } from './state.js';
import { refuseOutsideAdminAddresses, requireActor, requireSuperuser } from './middleware/auth.js';
import { parseWith } from './validation.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Access = 'public' | 'user' | 'superuser';

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
  /** Answers must never be stored (`Cache-Control: no-store`): no ETag, never a 304. */
  noStore?: boolean;
  responses: Record<number, ResponseDoc>;
}

export class ApiCatalog {
  readonly routes: RouteSpec[] = [];

  add(spec: RouteSpec): void {
    this.routes.push(spec);
  }
}

export interface RouteInput<Q extends z.ZodType, B extends z.ZodType> {
  /** The caller: always set on `user` and `superuser` routes, possibly unset on `public` ones. */
  actor: Actor | undefined;
  query: z.output<Q>;
  body: z.output<B>;
}

/** Input of a route that needs a caller (access `user` or `superuser`). */
export interface AuthedInput<Q extends z.ZodType, B extends z.ZodType> extends RouteInput<Q, B> {
  actor: Actor;
}

type RouteContext = ParameterizedContext<AppState> & { params: Record<string, string> };
type Handler<Q extends z.ZodType, B extends z.ZodType> = (ctx: RouteContext, input: AuthedInput<Q, B>) => Promise<void>;

export function defineRoute<Q extends z.ZodType, B extends z.ZodType>(
  router: Router<AppState>,
  catalog: ApiCatalog,
  spec: RouteSpec<Q, B>,
  handler: Handler<Q, B>,
): void {
  catalog.add(spec as unknown as RouteSpec);
  router[spec.method](spec.path, async (ctx) => {
    // Who may call it is checked before any input is read, as in flux-restful-api: an
    // unauthenticated request gets its 401 (and the client its cue to log in) even when
    // invalid; and it is the declared access, so the documentation cannot drift. An admin route
    // refuses a caller from the wrong address before asking who it is.
    if (spec.admin === true) {
      refuseOutsideAdminAddresses(ctx);
    }
    const actor = spec.access === 'public' ? ctx.state.actor : spec.access === 'superuser' ? requireSuperuser(ctx) : requireActor(ctx);
    if (spec.noStore === true) {
      // Set here, from the declaration, so the document's "never a 304" cannot drift.
      ctx.set('Cache-Control', 'no-store');
    }
    const query = spec.query === undefined ? {} : parseWith(spec.query, ctx.query, 'query');
    const rawBody: unknown = (ctx.request as { body?: unknown }).body;
    const body = spec.body === undefined || spec.bodyHandledByRoute ? rawBody : parseWith(spec.body, rawBody ?? {}, 'body');
    // Public routes may have no actor; the cast only widens what `user` routes guarantee.
    await handler(ctx as RouteContext, { actor, query, body } as AuthedInput<Q, B>);
  });
}
