/**
 * Declaring a route once: its method, path, documentation and input schemas. `defineRoute`
 * registers the handler on a router (validating the query and body first) and records the
 * declaration in the ApiCatalog, from which the OpenAPI document is generated — so the
 * document can never describe inputs other than those actually validated.
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { AppState } from './state.js';
import { parseWith } from './validation.js';
import { requireActor, requireSuperuser } from './middleware/auth.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Access = 'public' | 'user' | 'superuser';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
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
  responses: Record<number, ResponseDoc>;
}

export class ApiCatalog {
  readonly routes: RouteSpec[] = [];

  add(spec: RouteSpec): void {
    this.routes.push(spec);
  }
}

export interface RouteInput<Q extends z.ZodType, B extends z.ZodType> {
  query: z.output<Q>;
  body: z.output<B>;
}

type Handler<Q extends z.ZodType, B extends z.ZodType> = (ctx: ParameterizedContext<AppState> & { params: Record<string, string> }, input: RouteInput<Q, B>) => Promise<void>;

export function defineRoute<Q extends z.ZodType, B extends z.ZodType>(
  router: Router<AppState>,
  catalog: ApiCatalog,
  spec: RouteSpec<Q, B>,
  handler: Handler<Q, B>,
): void {
  catalog.add(spec as unknown as RouteSpec);
  router[spec.method](spec.path, async (ctx) => {
    // Who may call it is checked before any input is read (flux-restful-api answered 401
    // before 422 too), and it is the declared access, so the documentation cannot drift.
    if (spec.access === 'user') {
      requireActor(ctx);
    } else if (spec.access === 'superuser') {
      requireSuperuser(ctx);
    }
    const query = spec.query === undefined ? {} : parseWith(spec.query, ctx.query, 'query');
    const rawBody: unknown = (ctx.request as { body?: unknown }).body;
    const body = spec.body === undefined || spec.bodyHandledByRoute ? rawBody : parseWith(spec.body, rawBody ?? {}, 'body');
    await handler(ctx as ParameterizedContext<AppState> & { params: Record<string, string> }, { query, body } as RouteInput<Q, B>);
  });
}
