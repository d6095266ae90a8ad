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
