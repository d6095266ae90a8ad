/**
 * The answers the client reads, as the server documents them in /openapi.json. Ids arrive as
 * numbers when they fit a double exactly and as bigints otherwise (lossless parsing).
 */
export type WireId = number | bigint;

export interface JobDetail {
  id: WireId;
  jobid: string;
  owner: string;
  name: string;
  command: string[];
  state: string;
  result: string;
  returncode: number | '';
  cwd: string;
  queue: string;
  executor: string;
  ntasks: number;
  ncores: number;
  ngpus: number;
  nnodes: number | '';
  nodelist: string;
  duration: number;
  runtime: number;
  urgency: number;
  t_submit: number;
  t_run?: number;
  t_inactive?: number;
  exception: { occurred: boolean | ''; severity: number | ''; type: string; note: string };
  tags: Tag[];
  metadata: Record<string, string>;
  held: boolean;
  hold: { reason: string; held_by: string; t: number } | null;
}

export interface Tag {
  type: string;
  name: string;
}

/** `GET /v1/jobs/{id}/labels`, and the answer of every label change. */
export type JobLabels = Pick<JobDetail, 'tags' | 'metadata' | 'held' | 'hold'>;

export interface JobPage {
  items: JobDetail[];
  total: number;
  offset: number;
  limit: number;
  has_more: boolean;
}

/** Hold, release or a new priority. */
export interface ControlAnswer {
  id: WireId;
  jobid: string;
  state: string;
  urgency: number;
  changed: boolean;
  held: boolean;
}

export interface BulkAnswer {
  action: string;
  dry_run: boolean;
  summary: { requested: number; succeeded: number; changed: number; failed: number; errors: Record<string, number>; more: boolean };
  results: { id: WireId; jobid: string; ok: boolean; changed: boolean; error?: { code: string; message: string } }[];
}

export interface TemplateParameter {
  type: 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  max_length?: number;
}

export interface JobTemplate {
  name: string;
  owner: string;
  shared: boolean;
  description: string;
  parameters: Record<string, TemplateParameter>;
  job: Record<string, unknown> & { command: string[] };
  revision: number;
  updated_at: number;
}

export interface TemplateSubmitted {
  id: WireId;
  jobid: string;
  params: Record<string, string | number | boolean>;
}

/** Data of a `job` event of `/v1/events`. */
export interface FeedEvent {
  seq: number;
  id: WireId;
  jobid: string;
  event: string;
  t: number;
  state: string;
  owner: string;
  name: string;
  result: string;
}

export interface SearchPage {
  recordsTotal: number;
  recordsFiltered: number;
  data: JobDetail[];
}

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
  encoding?: 'base64';
}

export interface OutputPage {
  chunks: OutputChunk[];
  cursor: number;
  size: number;
  complete: boolean;
  truncated: boolean;
}

export interface NodeDetail {
  name: string;
  state: string;
  cores: number;
  cores_busy: number;
  gpus: number;
  gpus_busy: number;
  jobs: WireId[];
}

export interface NodesAnswer {
  nodes: string[];
  details?: NodeDetail[];
}

export interface AccessToken {
  access_token: string;
  token_type: string;
  expires_in?: number;
}

/** What `jobgate submit` sends: the whole request as a JSON body (the command as an argv array, never split again). */
export interface SubmitRequest {
  command: string[];
  envars?: Record<string, string>;
  num_tasks?: number;
  cores_per_task?: number;
  gpus_per_task?: number;
  num_nodes?: number;
  exclusive?: boolean;
  workdir?: string;
  runtime?: number;
  job_name?: string;
  queue?: string;
  urgency?: number;
  option_flags?: Record<string, string>;
}

export interface SearchRequest {
  text?: string;
  states?: string[];
  results?: string[];
  owner?: string;
  name?: string;
  start: number;
  length: number;
}
