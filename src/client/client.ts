/**
 * An HTTP client for jobgate's API (and flux-restful-api's: the same routes). JSON is read
 * losslessly, so 64-bit job ids stay exact. When the server asks for credentials
 * (401 + WWW-Authenticate) and the client was given a user and password, it gets a token the
 * way flux-restful-client does (`POST /v1/token`, signed with the shared secret) or with the
 * OAuth2 password form, then retries once.
 */
import { parseJsonLossless } from '../lib/json.js';
import { ApiError, ConnectionError, connectionReason, errorMessage } from './errors.js';
import type { AccessToken, JobDetail, NodesAnswer, OutputPage, SearchPage, SearchRequest, SubmitRequest, WireId } from './types.js';

export interface LoginSecret {
  user: string;
  password: string;
  /** FLUX_SECRET_KEY: sign a flux-restful-api token request instead of posting the password form. */
  secretKey?: string;
}

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  /** Used to get a token when the server asks for one. */
  login?: LoginSecret;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Leave the body unread (streams). */
  raw?: boolean;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  response: Response;
}

/** The decimal form of an id, for paths (F58's ƒ would need escaping). */
export function pathId(id: WireId): string {
  return BigInt(id).toString();
}

export class JobgateClient {
  readonly baseUrl: string;
  private token: string | undefined;
  private triedLogin = false;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
  }

  get currentToken(): string | undefined {
    return this.token;
  }

  private url(path: string, query: Query = {}): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.append(name, String(value));
      }
    }
    return url.toString();
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    if (this.token !== undefined && headers.Authorization === undefined) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    const url = this.url(path, options.query);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: options.signal });
    } catch (error: unknown) {
      if (options.signal?.aborted === true) {
        throw error;
      }
      throw new ConnectionError(this.baseUrl, `cannot reach jobgate at ${this.baseUrl} (${connectionReason(error)})`);
    }
    if (response.status === 401 && response.headers.has('WWW-Authenticate') && this.options.login !== undefined && !this.triedLogin && path !== '/v1/token') {
      // Answer the server's challenge once, as flux-restful-client does, then ask again.
      this.triedLogin = true;
      await response.body?.cancel();
      try {
        this.token = (await this.fetchToken(this.options.login)).access_token;
      } catch (error: unknown) {
        if (error instanceof ApiError && error.status < 500) {
          // Reported as what it is: the given credentials were refused (not a bad request).
          throw new ApiError(403, `the server refused the credentials of ${this.options.login.user} (${error.message})`, error.body);
        }
        throw error;
      }
      return this.request(method, path, { ...options, headers: options.headers });
    }
    if (options.raw === true && response.ok) {
      return { status: response.status, headers: response.headers, body: undefined, response };
    }
    const text = await response.text();
    const parsed = parseBody(text, response.headers.get('Content-Type') ?? '');
    if (!response.ok) {
      const invalid = /invalid_token/.test(response.headers.get('WWW-Authenticate') ?? '');
      throw new ApiError(response.status, errorMessage(response.status, parsed, response.statusText || 'request failed'), parsed, invalid);
    }
    return { status: response.status, headers: response.headers, body: parsed, response };
  }

  /** A token for a user and password: the signed request when a secret is known, else the password form. */
  async fetchToken(login: LoginSecret): Promise<AccessToken> {
    if (login.secretKey !== undefined && login.secretKey !== '') {
      // Loaded only for this handshake: most commands never sign anything.
      const { SignJWT } = await import('jose');
      const signed = await new SignJWT({ user: login.user, pass: login.password, scope: 'token' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(login.secretKey));
      const answer = await this.request('POST', '/v1/token', { headers: { Authorization: `Bearer ${signed}` } });
      return answer.body as AccessToken;
    }
    const answer = await this.request('POST', '/v1/login/access-token', { form: { username: login.user, password: login.password, grant_type: 'password' } });
    return answer.body as AccessToken;
  }

  async submit(request: SubmitRequest): Promise<WireId> {
    const answer = await this.request('POST', '/v1/jobs/submit', { json: request });
    return (answer.body as { id: WireId }).id;
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const query: Query = { draw: 1, start: request.start, length: request.length, 'search[value]': request.text };
    const filters: [string, string][] = [
      ...(request.states ?? []).map((state): [string, string] => ['state', state]),
      ...(request.results ?? []).map((result): [string, string] => ['result', result]),
      ...(request.owner === undefined ? [] : [['owner', request.owner] as [string, string]]),
      ...(request.name === undefined ? [] : [['name', request.name] as [string, string]]),
    ];
    filters.forEach(([column, value], index) => {
      query[`columns[${index}][data]`] = column;
      query[`columns[${index}][search][value]`] = value;
    });
    return (await this.request('GET', '/v1/jobs/search', { query })).body as SearchPage;
  }

  async job(id: WireId): Promise<JobDetail> {
    return (await this.request('GET', `/v1/jobs/${pathId(id)}`)).body as JobDetail;
  }

  async output(id: WireId, params: { since?: number; tail?: number; stream?: string; maxBytes?: number }): Promise<OutputPage> {
    const query: Query = { format: 'chunks', since: params.since, tail: params.tail, stream: params.stream, max_bytes: params.maxBytes };
    return (await this.request('GET', `/v1/jobs/${pathId(id)}/output`, { query })).body as OutputPage;
  }

  /** Opens the output event stream; the caller reads the body (see follow.ts). */
  async events(id: WireId, params: { stream?: string; tail?: number; lastEventId?: string; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (params.lastEventId !== undefined) {
      headers['Last-Event-ID'] = params.lastEventId;
    }
    const answer = await this.request('GET', `/v1/jobs/${pathId(id)}/output/events`, { query: { stream: params.stream, tail: params.tail }, headers, signal: params.signal, raw: true });
    return answer.response;
  }

  async cancel(id: WireId, reason?: string): Promise<string> {
    const answer = await this.request('POST', `/v1/jobs/${pathId(id)}/cancel`, { query: { reason } });
    return (answer.body as { Message: string }).Message;
  }

  async nodes(): Promise<NodesAnswer> {
    return (await this.request('GET', '/v1/nodes', { query: { details: true } })).body as NodesAnswer;
  }

  async stopService(): Promise<string> {
    return ((await this.request('POST', '/v1/service/stop')).body as { Message: string }).Message;
  }

  async revokeToken(): Promise<void> {
    await this.request('POST', '/v1/token/revoke');
  }
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') {
    return undefined;
  }
  if (/json/.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return parseJsonLossless(text);
    } catch {
      return text;
    }
  }
  return text;
}
