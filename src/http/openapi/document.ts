/**
 * The OpenAPI 3.1 document, generated from the route declarations (ApiCatalog): the zod schemas
 * that validate each request describe its parameters and body, and the declared response
 * schemas describe its answers. It is built per server, so it says what this jobgate does
 * (whether credentials are needed, which executor runs jobs).
 */
import type { z } from 'zod';
import type { ApiCatalog, ResponseDoc, RouteSpec } from '../route.js';
import { anyError, detailError, standardError, validationProblems } from '../error-schemas.js';
import { CACHED_API_PATHS } from '../middleware/http-cache.js';
import { namedComponents } from './components.js';
import { inputSchema, outputSchemas, type JsonSchema } from './json-schema.js';

export interface OpenApiOptions {
  version: string;
  authRequired: boolean;
  executor: string;
  /** The per-client rate limit is on: any request may get a 429. */
  rateLimited: boolean;
  /** Routes whose every error has the one standard shape (the middleware that makes it so uses the same test). */
  standardErrors: (routePath: string) => boolean;
}

export type OpenApiDocument = JsonSchema & { paths: Record<string, Record<string, JsonSchema>> };

const TAGS = [
  { name: 'jobs', description: 'Submit, list, search, look up, hold, release and cancel jobs; one at a time or in bulk.' },
  { name: 'labels', description: 'Tags and metadata on jobs.' },
  { name: 'templates', description: 'Named job templates with typed parameters, and submitting from them.' },
  { name: 'streams', description: 'Server-Sent Events that resume with Last-Event-ID.' },
  { name: 'meta', description: 'Liveness and versions.' },
  { name: 'output', description: 'Job output: pages by cursor, Server-Sent Events that resume exactly, and the legacy byte stream.' },
  { name: 'resources', description: 'Nodes and what runs on them.' },
  { name: 'auth', description: 'Access tokens (flux-restful-api handshake and OAuth2 password form).' },
  { name: 'service', description: 'Health, readiness, metrics, this document, and stopping the service.' },
];

const SECURITY = [{ bearerAuth: [] }, { apiKey: [] }, { passwordLogin: [] }, { sessionCookie: [] }];
const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An access token from /v1/login/access-token or /v1/token, or an API key (`jg_...`).' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A named API key (`jobgate users key add`); a read-only key gets 403 on anything that is not a read.' },
  passwordLogin: { type: 'oauth2', description: 'User name and password exchanged for a Bearer token.', flows: { password: { tokenUrl: '/v1/login/access-token', scopes: {} } } },
  sessionCookie: { type: 'apiKey', in: 'cookie', name: 'jobgate_session', description: 'A browser session from /login; state-changing requests also need its CSRF token (X-CSRF-Token).' },
};

/** `/v1/jobs/:jobid` → `/v1/jobs/{jobid}`. */
export function openApiPath(routerPath: string): string {
  return routerPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationIdOf(spec: RouteSpec): string {
  if (spec.operationId !== undefined) {
    return spec.operationId;
  }
  const words = `${spec.method} ${spec.path}`.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  return words.map((word, index) => (index === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join('');
}

const RATE_LIMIT_HEADERS = {
  'Retry-After': 'Seconds until a request is allowed again',
  'X-RateLimit-Limit': 'Requests the client may make at once (the burst)',
  'X-RateLimit-Remaining': 'Requests left now',
  'X-RateLimit-Reset': 'Seconds until the budget is full again',
};

/** A JSON GET answer under /v1 or /meta that may be stored: the HTTP cache may answer 304. */
function revalidated(spec: RouteSpec): boolean {
  const ok = spec.responses[200];
  const json = ok !== undefined && (ok.contentType === undefined || ok.contentType === 'application/json');
  return spec.method === 'get' && json && spec.noStore !== true && CACHED_API_PATHS.test(spec.path);
}

/** The responses a route gets from the common machinery, unless it declares them itself. */
function implicitResponses(spec: RouteSpec, options: OpenApiOptions): Record<number, ResponseDoc> {
  const implied: Record<number, ResponseDoc> = {};
  const standard = options.standardErrors(spec.path);
  if (options.authRequired && spec.access !== 'public') {
    implied[401] = { description: 'No valid credentials (`WWW-Authenticate: Bearer`; an expired or revoked token says `error="invalid_token"`)', schema: standard ? standardError : detailError, headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  if (options.authRequired && spec.access === 'superuser') {
    implied[403] = { description: 'Not a superuser', schema: standard ? standardError : detailError };
  } else if (options.authRequired && spec.access !== 'public' && spec.method !== 'get') {
    implied[403] = { description: 'A read-only credential (read-only API key)', schema: standard ? standardError : detailError };
  }
  if (spec.admin === true) {
    implied[403] = { description: 'Not a superuser, a read-only credential, or an address outside JOBGATE_ADMIN_ALLOW', schema: standard ? standardError : detailError };
  }
  if (spec.query !== undefined || spec.body !== undefined) {
    implied[standard ? 400 : 422] = standard
      ? { description: 'A parameter or the body is invalid (each problem named in details)', schema: standardError }
      : { description: 'A parameter of the wrong type, or a missing field, each named (FastAPI shape)', schema: validationProblems };
  }
  if (revalidated(spec)) {
    implied[304] = { description: 'Not modified: the ETag of If-None-Match still matches (or, without it, If-Modified-Since is not older than Last-Modified)' };
  }
  if (options.rateLimited) {
    implied[429] = { description: 'Over the per-client rate limit', schema: standardError, headers: RATE_LIMIT_HEADERS };
  }
  return implied;
}

function allResponses(spec: RouteSpec, options: OpenApiOptions): [string, ResponseDoc][] {
  const declared: Record<string, ResponseDoc> = { ...implicitResponses(spec, options), ...spec.responses };
  const fallback = options.standardErrors(spec.path) ? standardError : anyError;
  return [...Object.entries(declared), ['default', { description: 'Any other error (500, 503 while stopping, 413, a refused cross-site request, ...)', schema: fallback }]];
}

function parameters(spec: RouteSpec): JsonSchema[] {
  const list: JsonSchema[] = Object.entries(spec.pathParams ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } }));
  if (spec.query !== undefined) {
    const schema = inputSchema(spec.query);
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      const { description, ...rest } = property;
      list.push({ name, in: 'query', required: required.has(name), ...(typeof description === 'string' ? { description } : {}), schema: rest });
    }
  }
  return list;
}

function requestBody(spec: RouteSpec): JsonSchema | undefined {
  if (spec.body === undefined) {
    return undefined;
  }
  const schema = inputSchema(spec.body);
  const types = spec.bodyTypes ?? ['application/json'];
  return {
    // A route that reads the body itself (submit) also takes everything from the query string.
    required: spec.bodyHandledByRoute !== true,
    content: Object.fromEntries(types.map((type) => [type, { schema }])),
  };
}

export function buildOpenApiDocument(catalog: ApiCatalog, options: OpenApiOptions): OpenApiDocument {
  // Every response schema is converted in one pass so named ones become references.
  const named = namedComponents();
  const namedIds = new Map([...named].map(([id, schema]) => [schema, id]));
  const others = new Map<string, z.ZodType>();
  const idOf = new Map<z.ZodType, string>();
  const idFor = (schema: z.ZodType): string => {
    const existing = namedIds.get(schema) ?? idOf.get(schema);
    if (existing !== undefined) {
      return existing;
    }
    const id = `__inline${others.size}`;
    others.set(id, schema);
    idOf.set(schema, id);
    return id;
  };
  const responseSchemas = catalog.routes.map((spec) =>
    allResponses(spec, options).map(([status, doc]) => ({
      status,
      doc,
      schemaId: doc.schema === undefined ? undefined : idFor(doc.schema),
      alternatives: Object.entries(doc.alternatives ?? {}).map(([type, schema]) => ({ type, schemaId: schema === undefined ? undefined : idFor(schema) })),
    })),
  );
  const { components, inline } = outputSchemas(named, others);
  const schemaRef = (id: string | undefined): JsonSchema | undefined => {
    if (id === undefined) {
      return undefined;
    }
    return named.has(id) ? { $ref: `#/components/schemas/${id}` } : inline[id];
  };

  const paths: Record<string, Record<string, JsonSchema>> = {};
  catalog.routes.forEach((spec, index) => {
    const responses: Record<string, JsonSchema> = {};
    for (const { status, doc, schemaId, alternatives } of responseSchemas[index] ?? []) {
      const content: Record<string, JsonSchema> = {};
      const main = schemaRef(schemaId);
      if (main !== undefined || doc.contentType !== undefined) {
        content[doc.contentType ?? 'application/json'] = main === undefined ? {} : { schema: main };
      }
      for (const alternative of alternatives) {
        const schema = schemaRef(alternative.schemaId);
        content[alternative.type] = schema === undefined ? {} : { schema };
      }
      responses[status] = {
        description: doc.description,
        ...(doc.headers === undefined ? {} : { headers: Object.fromEntries(Object.entries(doc.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }),
        ...(Object.keys(content).length === 0 ? {} : { content }),
      };
    }
    const body = requestBody(spec);
    const operation: JsonSchema = {
      operationId: operationIdOf(spec),
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      tags: spec.tags,
      parameters: parameters(spec),
      ...(body === undefined ? {} : { requestBody: body }),
      responses,
      // With auth off every caller is the local superuser: no credentials are needed.
      ...(options.authRequired && spec.access !== 'public' ? { security: SECURITY } : {}),
    };
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operation };
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'jobgate',
      version: options.version,
      summary: 'Submit, follow and manage jobs in an HPC allocation over HTTP (a drop-in replacement for flux-restful-api).',
      description: [
        `This jobgate runs jobs with the **${options.executor}** executor; authentication is **${options.authRequired ? 'on' : 'off (every caller acts as the local superuser)'}**.`,
        '',
        'Job ids are 64-bit integers written exactly: read them with a JSON parser that keeps big integers.',
        'Every answer carries `X-Request-Id` (send your own to correlate) and `Server-Timing`.',
      ].join('\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    paths,
    components: {
      schemas: components,
      ...(options.authRequired ? { securitySchemes: SECURITY_SCHEMES } : {}),
    },
  };
}
