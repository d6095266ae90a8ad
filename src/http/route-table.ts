/**
 * The route table: every declared route (API routes through `defineRoute`, pages as HTML) in
 * the order they are mounted, matched with the router's own layers (the same path syntax and
 * options @koa/router uses). Middleware that runs before routing (error shapes, HTTP caching,
 * the error page) asks it which declared route a request is for, instead of guessing from the
 * path. The same declarations generate the OpenAPI document.
 */
import type { Layer } from '@koa/router';
import { cachePolicy, type CachePolicy, type ErrorShape, type RouteSpec } from './route-spec.js';

/** What the machinery around a route needs to know about it. */
export interface RouteTraits {
  errors: ErrorShape;
  cache: CachePolicy;
  /** A page: a browser asking for HTML gets the HTML error page. */
  html: boolean;
}

/** What the table reads of a router's layer (`methods` includes HEAD for a GET route). */
type RouterLayer = Pick<Layer, 'match' | 'methods'>;

interface Entry {
  matches: (path: string) => boolean;
  methods: readonly string[];
  traits: RouteTraits;
}

const PAGE: RouteTraits = { errors: 'compat', cache: 'none', html: true };
/** A path nobody declared (and no API space holds) is treated as a page that does not exist. */
const UNDECLARED: RouteTraits = PAGE;

export class ApiCatalog {
  /** The API routes, for the OpenAPI document. */
  readonly routes: RouteSpec[] = [];
  private readonly entries: Entry[] = [];
  private readonly spaces: Entry[] = [];

  /** An API route and the router layer that serves it. */
  add(spec: RouteSpec, layer: RouterLayer): void {
    this.routes.push(spec);
    this.entries.push({ matches: (path) => layer.match(path), methods: layer.methods, traits: { errors: spec.errors, cache: cachePolicy(spec), html: false } });
  }

  /** Every route of a router of pages (HTML for browsers; never cached). */
  addPages(router: { stack: readonly RouterLayer[] }): void {
    for (const layer of router.stack) {
      if (layer.methods.length > 0) {
        this.entries.push({ matches: (path) => layer.match(path), methods: layer.methods, traits: PAGE });
      }
    }
  }

  /**
   * Declares that every path under `prefix` (whole segments) belongs to the API: one that no
   * route matches is answered in JSON, in this error shape (e.g. an unknown `/v1/...` path).
   */
  addSpace(prefix: string, errors: ErrorShape): void {
    const segments = prefix.replace(/\/+$/, '');
    this.spaces.push({ matches: (path) => path === segments || path.startsWith(`${segments}/`), methods: [], traits: { errors, cache: 'none', html: false } });
  }

  /**
   * The traits of the route a request is for: the first route (in mount order) matching its
   * method and path; else the first matching its path (the router answers 405 for it); else the
   * API space holding the path; else an undeclared page.
   */
  match(method: string, path: string): RouteTraits {
    const verb = method.toUpperCase();
    let pathOnly: Entry | undefined;
    for (const entry of this.entries) {
      if (!entry.matches(path)) {
        continue;
      }
      if (entry.methods.includes(verb)) {
        return entry.traits;
      }
      pathOnly ??= entry;
    }
    return (pathOnly ?? this.spaces.find((space) => space.matches(path)))?.traits ?? UNDECLARED;
  }
}
