/**
 * Declaring a route once: its method, path, documentation, input schemas, error shape and
 * caching. `defineRoute` registers the handler on a router (validating the query and body
 * first) and records the declaration in the ApiCatalog, from which the OpenAPI document is
 * generated and which middleware asks about a request — so neither the document nor the
 * middleware can describe a route other than it behaves.
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { Actor } from '../model/job.js';
import type { AppState } from './state.js';
import type { RouteSpec } from './route-spec.js';
import type { ApiCatalog } from './route-table.js';
import { refuseOutsideAdminAddresses, requireActor, requireSuperuser } from './middleware/auth.js';
import { parseWith } from './validation.js';

export type { ResponseDoc, RouteSpec } from './route-spec.js';
export { ApiCatalog } from './route-table.js';

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
  router[spec.method](spec.path, async (ctx) => {
    // Who may call it is checked before any input is read, as in flux-restful-api: an
    // unauthenticated request gets its 401 (and the client its cue to log in) even when
    // invalid; and it is the declared access, so the documentation cannot drift. An admin route
    // refuses a caller from the wrong address before asking who it is.
    if (spec.admin === true) {
      refuseOutsideAdminAddresses(ctx);
    }
    const actor = spec.access === 'public' ? ctx.state.actor : spec.access === 'superuser' ? requireSuperuser(ctx) : requireActor(ctx);
    if (spec.cache === 'no-store') {
      // Set here, from the declaration, so the document's "never a 304" cannot drift.
      ctx.set('Cache-Control', 'no-store');
    }
    const query = spec.query === undefined ? {} : parseWith(spec.query, ctx.query, 'query');
    const rawBody: unknown = (ctx.request as { body?: unknown }).body;
    const body = spec.body === undefined || spec.bodyHandledByRoute ? rawBody : parseWith(spec.body, rawBody ?? {}, 'body');
    // Public routes may have no actor; the cast only widens what `user` routes guarantee.
    await handler(ctx as RouteContext, { actor, query, body } as AuthedInput<Q, B>);
  });
  // The layer just made is the route's own matcher: the route table asks it, so middleware that
  // runs before routing matches requests exactly as the router will.
  const layer = router.stack.at(-1);
  if (layer === undefined) {
    throw new Error(`the router kept no layer for ${spec.method.toUpperCase()} ${spec.path}`);
  }
  catalog.add(spec as unknown as RouteSpec, layer);
}
