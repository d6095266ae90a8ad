/**
 * The double's Flux instance: job ids, the job state machine and its eventlogs, a first-come
 * scheduler over ranks and cores, the job-manager journal, eventlog watches, cancel, urgency,
 * lookups, attributes, resources, drain, queue stop/start and shutdown — each shaped after
 * the flux-core 0.88 recordings (event names, context keys and their order, error texts).
 *
 * Served over a Unix socket (server.ts) to the fake `flux` command (cli.ts) and the fake
 * Python bindings that jobgate's real bridge imports.
 */
import { f58Of } from './ids.js';
import { bracketedIdset, hostlistText, idsetText } from './lists.js';
import { now, type Entry, type Json, type JsonObject } from './format.js';
import { FakeShell } from './fake-shell.js';

export interface FakeFluxOptions {
  size?: number;
  cores?: number;
  gpus?: number;
  hostname?: string;
  /**
   * One host name per rank (default: every rank is `hostname`, as in the recordings, whose
   * ranks all ran on `vm`); distinct numbered names give compressed host lists (`node[1-3]`).
   */
  hostnames?: string[];
  /** Ranks that never came online (`offline` in `flux resource status`, `down` in the list). */
  offline?: number[];
  /** Ranks excluded by the instance's configuration (`exclude`). */
  exclude?: number[];
  version?: string;
  /** Pretend the instance started this long ago: ids pass 2^53 after about 6.2 days. */
  uptimeMs?: number;
  /**
   * How long the job shell takes from `start` to creating the output eventlog (the `header`
   * came 12 ms after `start` in 21). A cancel in that window is the recorded "cancel right
   * after start": `start, exception, finish status=15`, no output eventlog. Tests that need
   * to land in the window widen it.
   */
  shellInitMs?: number;
  /**
   * Output watches on a job canceled before its shell started end with ENOENT (22) — but 4
   * times in about 2000 rounds such a watch never answered at all; with this on, every such
   * watch stays silent.
   */
  silentOutputWatchesAtStartCancel?: boolean;
  /** Time limits expire only when expireTimeLimits() says so (a replay decides when, not the clock). */
  manualTimeLimits?: boolean;
  rundir: string;
  uri: string;
  brokerPid?: number;
}

/** A refusal, with Flux's errno and words. */
export class FluxError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

export const ENOENT = 2;
export const EINVAL = 22;
export const EPERM = 1;
export const ENODATA = 61;

type State = 'NEW' | 'DEPEND' | 'PRIORITY' | 'SCHED' | 'RUN' | 'CLEANUP' | 'INACTIVE';

interface Request {
  ntasks: number;
  slots: number;
  coresPerSlot: number;
  gpusPerSlot: number;
  nodes: number | null;
  exclusive: boolean;
  duration: number;
}

export interface FakeJob {
  id: bigint;
  jobspec: JsonObject;
  userid: number;
  urgency: number;
  priority: number;
  state: State;
  eventlog: Entry[];
  output: Entry[] | null;
  R: JsonObject | null;
  alloc: Map<number, number[]> | null;
  shell: FakeShell | null;
  timers: NodeJS.Timeout[];
  exception: { type: string; severity: number } | null;
  request: Request;
  /** Answers the submit request (job-ingest answers after the job's first events are out). */
  answer: (() => void) | null;
}

type Listener = (entries: Entry[], end?: { errno: number; error: string }) => void;

interface Watch {
  id: bigint;
  path: 'eventlog' | 'guest.output';
  listener: Listener;
}

interface JournalSubscriber {
  send: (payload: Json) => void;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberAt(value: Json | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function getPath(tree: Json | undefined, keys: string[]): Json | undefined {
  let node = tree;
  for (const key of keys) {
    if (!isObject(node)) {
      return undefined;
    }
    node = node[key];
  }
  return node;
}

/** Validates a jobspec as job-ingest does, with its words; returns what it asks for. */
export function parseRequest(jobspec: Json): Request {
  if (!isObject(jobspec)) {
    throw new FluxError(EINVAL, 'jobspec must be an object');
  }
  for (const key of ['version', 'resources', 'tasks', 'attributes']) {
    if (!(key in jobspec)) {
      throw new FluxError(EINVAL, `Missing key (${key})`);
    }
  }
  const tasks = jobspec.tasks;
  const first = Array.isArray(tasks) ? tasks[0] : undefined;
  const command = getPath(first, ['command']);
  if (!Array.isArray(command) || command.length === 0) {
    throw new FluxError(EINVAL, 'command array cannot have length of zero');
  }
  const duration = getPath(jobspec, ['attributes', 'system', 'duration']);
  if (typeof duration !== 'number') {
    throw new FluxError(EINVAL, 'attributes.system.duration is a required key');
  }
  const top = Array.isArray(jobspec.resources) ? jobspec.resources[0] : undefined;
  let nodes: number | null = null;
  let exclusive = false;
  let slot = top;
  if (isObject(top) && top.type === 'node') {
    nodes = numberAt(top.count, 1);
    exclusive = top.exclusive === true;
    slot = Array.isArray(top.with) ? top.with[0] : undefined;
  }
  const slotCount = numberAt(getPath(slot, ['count']), 1);
  const children = getPath(slot, ['with']);
  const childList = Array.isArray(children) ? children : [];
  const child = (type: string): number => numberAt(getPath(childList.find((item) => isObject(item) && item.type === type), ['count']), 0);
  const count = getPath(first, ['count']);
  const slots = slotCount * (nodes ?? 1);
  const ntasks = numberAt(getPath(count, ['total']), slots * numberAt(getPath(count, ['per_slot']), 1));
  return { ntasks, slots, coresPerSlot: Math.max(1, child('core')), gpusPerSlot: child('gpu'), nodes, exclusive, duration };
}

export class FakeFluxInstance {
  readonly jobs = new Map<bigint, FakeJob>();
  /** Every jobspec submitted, as received (for tests). */
  readonly submitted: JsonObject[] = [];
  private readonly epochMs: number;
  private lastMs = -1;
  private sequence = 0;
  private readonly watches = new Set<Watch>();
  private readonly journal = new Set<JournalSubscriber>();
  private readonly drained = new Set<number>();
  private readonly freeCores: Map<number, number[]>;
  queueStopped = false;
  private stopped = false;
  readonly size: number;
  readonly cores: number;
  readonly gpus: number;
  readonly hostname: string;

  constructor(readonly options: FakeFluxOptions) {
    this.size = options.size ?? 1;
    this.cores = options.cores ?? 2;
    this.gpus = options.gpus ?? 0;
    this.hostname = options.hostname ?? 'vm';
    this.epochMs = Date.now() - (options.uptimeMs ?? 1000);
    this.freeCores = new Map(Array.from({ length: this.size }, (_unused, rank) => [rank, Array.from({ length: this.cores }, (_c, core) => core)]));
  }

  hostOf(rank: number): string {
    return this.options.hostnames?.[rank] ?? this.hostname;
  }

  /** Ranks the scheduler may use: online, not excluded, not drained. */
  private usable(rank: number): boolean {
    return !this.drained.has(rank) && !(this.options.offline ?? []).includes(rank) && !(this.options.exclude ?? []).includes(rank);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** FLUIDs: milliseconds since the instance started in bits 24 and up. */
  private nextId(): bigint {
    const ms = Date.now() - this.epochMs;
    if (ms <= this.lastMs) {
      this.sequence += 1;
    } else {
      this.lastMs = ms;
      this.sequence = 0;
    }
    return (BigInt(this.lastMs) << 24n) | BigInt(this.sequence);
  }

  attr(name: string): string {
    const values: Record<string, string> = {
      size: String(this.size),
      hostlist: hostlistText(Array.from({ length: this.size }, (_unused, rank) => this.hostOf(rank))),
      rank: '0',
      'broker.pid': String(this.options.brokerPid ?? process.pid),
      'instance-level': '0',
      'local-uri': this.options.uri,
      rundir: this.options.rundir,
      version: this.options.version ?? '0.88.0',
    };
    const value = values[name];
    if (value === undefined) {
      throw new FluxError(ENOENT, 'No such file or directory');
    }
    return value;
  }

  // ---------------------------------------------------------------- events

  private post(job: FakeJob, name: string, context?: JsonObject, extra?: { jobspec?: Json; R?: Json }, journalOnly = false): void {
    const entry: Entry = context === undefined ? { timestamp: now(), name } : { timestamp: now(), name, context };
    if (!journalOnly) {
      job.eventlog.push(entry);
    }
    const payload: JsonObject = { id: job.id as unknown as Json, events: [entry as unknown as Json] };
    if (extra?.jobspec !== undefined) {
      payload.jobspec = extra.jobspec;
    }
    if (extra?.R !== undefined) {
      payload.R = extra.R;
    }
    for (const subscriber of this.journal) {
      subscriber.send(payload);
    }
    if (!journalOnly) {
      this.notify(job, 'eventlog', [entry]);
    }
  }

  private notify(job: FakeJob, path: Watch['path'], entries: Entry[]): void {
    for (const watch of [...this.watches]) {
      if (watch.id === job.id && watch.path === path) {
        watch.listener(entries);
      }
    }
  }

  private endWatches(job: FakeJob): void {
    for (const watch of [...this.watches]) {
      if (watch.id === job.id) {
        const missing = watch.path === 'guest.output' && job.output === null;
        if (missing && this.options.silentOutputWatchesAtStartCancel === true && job.eventlog.some((entry) => entry.name === 'start')) {
          // The watch that never answers (22): it stays open, and says nothing, until canceled.
          continue;
        }
        this.watches.delete(watch);
        watch.listener([], missing ? { errno: ENOENT, error: 'No such file or directory' } : { errno: ENODATA, error: 'No data available' });
      }
    }
  }

  private redacted(job: FakeJob): Json {
    const copy = JSON.parse(JSON.stringify(job.jobspec)) as JsonObject;
    const system = getPath(copy, ['attributes', 'system']);
    if (isObject(system)) {
      delete system.environment;
    }
    return copy;
  }

  // ---------------------------------------------------------------- submit

  /**
   * A new job; `answer` is called when job-ingest would answer the submit: after the submit,
   * validate, depend and priority events have gone to the journal (21: all three probe jobs'
   * submit_async answers came after their `priority` event). So journal events of a job
   * arrive before its id does.
   */
  submit(jobspec: Json, urgency: number, userid: number, answer: (id: bigint) => void = () => undefined): bigint {
    if (this.stopped) {
      throw new FluxError(38, 'Function not implemented');
    }
    const request = parseRequest(jobspec);
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 31) {
      throw new FluxError(EINVAL, 'urgency range is [0:31]');
    }
    const spec = jobspec as JsonObject;
    const job: FakeJob = {
      id: this.nextId(),
      jobspec: spec,
      userid,
      urgency,
      priority: 0,
      state: 'DEPEND',
      eventlog: [],
      output: null,
      R: null,
      alloc: null,
      shell: null,
      timers: [],
      exception: null,
      request,
      answer: null,
    };
    job.answer = () => {
      job.answer = null;
      answer(job.id);
    };
    this.submitted.push(spec);
    this.jobs.set(job.id, job);
    this.post(job, 'submit', { userid, urgency, flags: 0, version: 1 }, { jobspec: this.redacted(job) });
    this.later(job, 2, () => {
      this.post(job, 'validate');
      this.later(job, 2, () => {
        job.state = 'PRIORITY';
        this.post(job, 'depend');
        job.priority = priorityOf(urgency);
        job.state = 'SCHED';
        this.post(job, 'priority', { priority: job.priority });
        job.answer?.();
        this.schedule();
      });
    });
    return job.id;
  }

  private later(job: FakeJob, ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      job.timers = job.timers.filter((each) => each !== timer);
      if (job.state !== 'INACTIVE') {
        work();
      }
    }, ms);
    job.timers.push(timer);
  }

  // ---------------------------------------------------------------- scheduling

  /** Why a request can never be satisfied here (sched-simple's words), or null. */
  private infeasible(request: Request): string | null {
    const { nodes, slots, coresPerSlot, gpusPerSlot } = request;
    const eligible = this.size;
    if (nodes !== null && nodes > eligible) {
      return `unsatisfiable request: need ${nodes} exclusive node(s), only ${eligible} eligible`;
    }
    if (gpusPerSlot > 0 && slots * gpusPerSlot > this.gpus * this.size) {
      return `unsatisfiable request: need ${slots} slot(s) with ${gpusPerSlot} GPU(s) each, only ${Math.floor(this.gpus / gpusPerSlot) * this.size} available (total GPUs: ${this.gpus * this.size})`;
    }
    const perRank = Math.floor(this.cores / coresPerSlot);
    if (slots > perRank * this.size) {
      return `unsatisfiable request: need ${slots} slot(s) of ${coresPerSlot} core(s), only ${perRank * this.size} such slot(s) available (total cores: ${this.cores * this.size})`;
    }
    return null;
  }

  private schedule(): void {
    if (this.queueStopped || this.stopped) {
      return;
    }
    const pending = [...this.jobs.values()].filter((job) => job.state === 'SCHED' && job.eventlog.some((entry) => entry.name === 'priority')).sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
    for (const job of pending) {
      const why = this.infeasible(job.request);
      if (why !== null) {
        this.fail(job, 'alloc', why);
        continue;
      }
      if (job.priority === 0) {
        continue;
      }
      const alloc = this.place(job.request);
      if (alloc === null) {
        return;
      }
      this.allocate(job, alloc);
    }
  }

  /** First fit over up ranks; null when it does not fit now. */
  private place(request: Request): Map<number, number[]> | null {
    const up = [...this.freeCores.keys()].filter((rank) => this.usable(rank));
    const result = new Map<number, number[]>();
    if (request.nodes !== null) {
      const perNode = Math.ceil(request.slots / request.nodes) * request.coresPerSlot;
      for (const rank of up) {
        const free = this.freeCores.get(rank) ?? [];
        const whole = free.length === this.cores;
        if ((request.exclusive && whole) || (!request.exclusive && free.length >= perNode)) {
          result.set(rank, request.exclusive ? free.slice() : free.slice(0, perNode));
          if (result.size === request.nodes) {
            return result;
          }
        }
      }
      return null;
    }
    let remaining = request.slots;
    for (const rank of up) {
      const free = [...(this.freeCores.get(rank) ?? [])];
      const fit = Math.min(remaining, Math.floor(free.length / request.coresPerSlot));
      if (fit > 0) {
        result.set(rank, free.slice(0, fit * request.coresPerSlot));
        remaining -= fit;
      }
      if (remaining === 0) {
        return result;
      }
    }
    return null;
  }

  private allocate(job: FakeJob, alloc: Map<number, number[]>): void {
    for (const [rank, cores] of alloc) {
      this.freeCores.set(rank, (this.freeCores.get(rank) ?? []).filter((core) => !cores.includes(core)));
    }
    job.alloc = alloc;
    job.state = 'RUN';
    const starttime = now();
    // Ranks holding the same cores share one R_lite entry (`"rank": "0-1"` in 15).
    const groups = new Map<string, { cores: number[]; ranks: number[] }>();
    for (const [rank, cores] of [...alloc.entries()].sort(([a], [b]) => a - b)) {
      const key = idsetText(cores);
      const group = groups.get(key) ?? { cores, ranks: [] };
      group.ranks.push(rank);
      groups.set(key, group);
    }
    const ranks = [...alloc.keys()].sort((a, b) => a - b);
    const summary = [...groups.values()].map((group) => `rank${bracketedIdset(group.ranks)}/core${bracketedIdset(group.cores)}`).join(' ');
    job.R = {
      version: 1,
      execution: {
        R_lite: [...groups.values()].map((group) => ({ rank: idsetText(group.ranks), children: { core: idsetText(group.cores) } })),
        starttime,
        expiration: job.request.duration > 0 ? starttime + job.request.duration : 0,
        nslots: job.request.slots,
        nodelist: [hostlistText(ranks.map((rank) => this.hostOf(rank)))],
      },
    };
    const annotations = { annotations: { sched: { resource_summary: summary } } };
    this.post(job, 'annotations', annotations, undefined, true);
    this.post(job, 'alloc', annotations, { R: job.R });
    this.later(job, 3, () => this.startJob(job));
  }

  private startJob(job: FakeJob): void {
    this.post(job, 'start');
    if (job.exception !== null) {
      // Canceled between alloc and start (not recorded; treated as the cancel right after start).
      this.shellKilledAtStart(job);
      return;
    }
    this.later(job, this.options.shellInitMs ?? 12, () => {
      if (job.exception === null) {
        this.initShell(job);
      }
    });
  }

  /** The shell got the SIGTERM before it set up: it dies of it itself (21: `finish status=15`). */
  private shellKilledAtStart(job: FakeJob): void {
    job.state = 'CLEANUP';
    this.post(job, 'finish', { status: 15 });
    this.later(job, 2, () => this.releaseJob(job));
  }

  private initShell(job: FakeJob): void {
    if (job.request.duration > 0 && this.options.manualTimeLimits !== true) {
      this.later(job, job.request.duration * 1000, () => this.expire(job));
    }
    const options = getPath(job.jobspec, ['attributes', 'system', 'shell', 'options']);
    const env = getPath(job.jobspec, ['attributes', 'system', 'environment']);
    const tasks = job.jobspec.tasks;
    const command = getPath(Array.isArray(tasks) ? tasks[0] : undefined, ['command']);
    const argv = Array.isArray(command) ? command : [];
    const unbuffered = (stream: string): boolean => getPath(options, ['output', stream, 'buffer', 'type']) === 'none';
    const id = job.id;
    job.output = [];
    job.shell = new FakeShell({
      command: argv.map(String),
      ntasks: job.request.ntasks,
      env: isObject(env) ? Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])) : {},
      cwd: String(getPath(job.jobspec, ['attributes', 'system', 'cwd']) ?? '/tmp'),
      hostname: this.hostname,
      batchTimeout: numberAt(getPath(options, ['output', 'batch-timeout']), 0.5),
      unbuffered: { stdout: unbuffered('stdout'), stderr: unbuffered('stderr') },
      taskEnv: (rank) => ({
        FLUX_JOB_ID: f58Of(id),
        FLUX_JOB_SIZE: String(job.request.ntasks),
        FLUX_JOB_NNODES: String(job.alloc?.size ?? 1),
        FLUX_TASK_RANK: String(rank),
        FLUX_TASK_LOCAL_ID: String(rank),
        FLUX_KVS_NAMESPACE: `job-${id.toString()}`,
        FLUX_URI: this.options.uri,
      }),
      post: (entries) => {
        job.output?.push(...entries);
        this.notify(job, 'guest.output', entries);
      },
      exited: (codes, startFailure) => this.finishJob(job, codes, startFailure),
    });
    job.shell.start();
  }

  /** The time limit is reached: a timeout exception, then SIGALRM to the tasks. */
  private expire(job: FakeJob): void {
    if (job.shell !== null && job.exception === null) {
      this.post(job, 'exception', { type: 'timeout', severity: 0, userid: job.userid, note: 'resource allocation expired' });
      job.exception = { type: 'timeout', severity: 0 };
      job.shell.signal('SIGALRM');
    }
  }

  /** With manualTimeLimits: every running job that has a time limit reaches it now. */
  expireTimeLimits(): void {
    for (const job of this.jobs.values()) {
      if (job.state === 'RUN' && job.request.duration > 0) {
        this.expire(job);
      }
    }
  }

  private finishJob(job: FakeJob, codes: number[], startFailure: string | null): void {
    if (startFailure !== null && job.exception === null) {
      job.exception = { type: 'exec', severity: 0 };
      this.post(job, 'exception', { type: 'exec', severity: 0, note: startFailure, userid: job.userid });
    }
    const code = Math.max(0, ...codes);
    job.state = 'CLEANUP';
    this.post(job, 'finish', { status: code << 8 });
    this.later(job, 2, () => this.releaseJob(job));
  }

  private releaseJob(job: FakeJob): void {
    this.post(job, 'release', { ranks: 'all', final: true });
    for (const [rank, cores] of job.alloc ?? []) {
      this.freeCores.set(rank, [...(this.freeCores.get(rank) ?? []), ...cores].sort((a, b) => a - b));
    }
    this.post(job, 'free');
    this.clean(job);
    this.schedule();
  }

  private clean(job: FakeJob): void {
    for (const timer of job.timers) {
      clearTimeout(timer);
    }
    job.timers = [];
    job.state = 'INACTIVE';
    this.post(job, 'clean');
    job.answer?.();
    this.endWatches(job);
  }

  /** A fatal exception on a job that holds no resources: it ends at once. */
  private fail(job: FakeJob, type: string, note: string): void {
    job.exception = { type, severity: 0 };
    job.state = 'CLEANUP';
    this.post(job, 'exception', { type, severity: 0, note, userid: job.userid });
    this.clean(job);
  }

  // ---------------------------------------------------------------- requests

  private job(id: bigint, unknown = 'unknown job id'): FakeJob {
    const job = this.jobs.get(id);
    if (job === undefined) {
      throw new FluxError(ENOENT, unknown);
    }
    return job;
  }

  raise(id: bigint, type: string, severity: number, note: string, userid: number): void {
    const job = this.job(id);
    if (job.state === 'INACTIVE') {
      throw new FluxError(EINVAL, 'job is inactive');
    }
    if (severity !== 0) {
      this.post(job, 'exception', { type, severity, note, userid });
      return;
    }
    if (job.state === 'RUN' && job.shell !== null) {
      if (job.exception === null) {
        job.exception = { type, severity };
        this.post(job, 'exception', { type, severity, note, userid });
        job.shell.signal('SIGTERM');
        const shell = job.shell;
        this.later(job, 5000, () => shell.signal('SIGKILL'));
      }
      return;
    }
    if (job.state === 'RUN') {
      // Allocated, its shell not set up yet: right after `start` the shell dies of the cancel
      // (21: start, exception, finish status=15); before `start`, the start finds it.
      job.exception = { type, severity };
      this.post(job, 'exception', { type, severity, note, userid });
      if (job.eventlog.some((entry) => entry.name === 'start')) {
        this.later(job, 1, () => this.shellKilledAtStart(job));
      }
      return;
    }
    this.fail(job, type, note);
  }

  setUrgency(id: bigint, urgency: number, userid: number): number {
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 31) {
      throw new FluxError(EINVAL, 'urgency value is out of range');
    }
    const job = this.job(id, 'unknown job');
    if (job.state === 'INACTIVE') {
      throw new FluxError(EINVAL, 'job is inactive');
    }
    if (job.state === 'RUN' || job.state === 'CLEANUP') {
      throw new FluxError(EINVAL, 'urgency cannot be changed once resources are allocated');
    }
    const old = job.urgency;
    job.urgency = urgency;
    this.post(job, 'urgency', { userid, urgency });
    job.priority = priorityOf(urgency);
    this.post(job, 'priority', { priority: job.priority });
    this.schedule();
    return old;
  }

  /**
   * Journal: the backlog (active jobs, or all with full), a sentinel, then live events.
   * The backlog's order is not recorded (21's `full: false` backlog was empty) and Flux does not
   * promise one (job-manager keeps active jobs in a hash); the double sends the newest job
   * first so that nothing comes to rely on id order.
   */
  subscribeJournal(full: boolean, send: (payload: Json) => void): () => void {
    for (const job of [...this.jobs.values()].sort((a, b) => (a.id > b.id ? -1 : 1))) {
      if (!full && job.state === 'INACTIVE') {
        continue;
      }
      const payload: JsonObject = { id: job.id as unknown as Json, events: job.eventlog as unknown as Json };
      payload.jobspec = this.redacted(job);
      if (job.R !== null) {
        payload.R = job.R;
      }
      send(payload);
    }
    send({ id: -1, events: [] });
    const subscriber = { send };
    this.journal.add(subscriber);
    return () => this.journal.delete(subscriber);
  }

  /** Eventlog watch: history, then live entries, ending after the job is clean. */
  watch(id: bigint, path: string, waitcreate: boolean, listener: Listener): () => void {
    const job = this.jobs.get(id);
    if (job === undefined) {
      throw new FluxError(ENOENT, 'No such file or directory');
    }
    if (path !== 'eventlog' && path !== 'guest.output') {
      throw new FluxError(ENOENT, 'No such file or directory');
    }
    const log = path === 'eventlog' ? job.eventlog : job.output;
    if (log === null && (!waitcreate || job.state === 'INACTIVE')) {
      throw new FluxError(ENOENT, 'No such file or directory');
    }
    if (log !== null && log.length > 0) {
      listener([...log]);
    }
    if (job.state === 'INACTIVE') {
      listener([], { errno: ENODATA, error: 'No data available' });
      return () => undefined;
    }
    const watch: Watch = { id, path, listener };
    this.watches.add(watch);
    return () => {
      if (this.watches.delete(watch)) {
        listener([], { errno: ENODATA, error: 'No data available' });
      }
    };
  }

  lookup(id: bigint, keys: string[]): JsonObject {
    const job = this.job(id, 'No such file or directory');
    const result: JsonObject = { id: id as unknown as Json };
    for (const key of keys) {
      if (key === 'eventlog') {
        result.eventlog = job.eventlog.map((entry) => `${JSON.stringify(entry)}\n`).join('');
      } else if (key === 'guest.output' && job.output !== null) {
        result[key] = job.output.map((entry) => `${JSON.stringify(entry)}\n`).join('');
      } else if (key === 'R' && job.R !== null) {
        result.R = JSON.stringify(job.R);
      } else if (key === 'jobspec') {
        result.jobspec = JSON.stringify(job.jobspec);
      } else {
        throw new FluxError(ENOENT, `${key}: key not found`);
      }
    }
    return result;
  }

  queue(stop: boolean): void {
    this.queueStopped = stop;
    this.schedule();
  }

  drain(ranks: number[], drain: boolean): void {
    for (const rank of ranks) {
      if (drain) {
        this.drained.add(rank);
      } else {
        this.drained.delete(rank);
      }
    }
    this.schedule();
  }

  /** Per rank: host, cores (free and allocated), GPUs, and its `flux resource status` state. */
  resources(): { rank: number; host: string; cores: number[]; free: number[]; gpus: number; status: 'avail' | 'drained' | 'offline' | 'exclude' }[] {
    const statusOf = (rank: number): 'avail' | 'drained' | 'offline' | 'exclude' => {
      if ((this.options.exclude ?? []).includes(rank)) {
        return 'exclude';
      }
      if ((this.options.offline ?? []).includes(rank)) {
        return 'offline';
      }
      return this.drained.has(rank) ? 'drained' : 'avail';
    };
    return Array.from({ length: this.size }, (_unused, rank) => ({
      rank,
      host: this.hostOf(rank),
      cores: Array.from({ length: this.cores }, (_c, core) => core),
      free: this.freeCores.get(rank) ?? [],
      gpus: this.gpus,
      status: statusOf(rank),
    }));
  }

  /** `flux shutdown`: cancel what runs, refuse new work, end every stream. */
  shutdown(): void {
    if (this.stopped) {
      return;
    }
    this.queueStopped = true;
    for (const job of this.jobs.values()) {
      if (job.state !== 'INACTIVE') {
        try {
          this.raise(job.id, 'cancel', 0, 'instance shutdown', 0);
        } catch {
          // already ending
        }
      }
    }
    this.stopped = true;
  }

  /** Stops every timer and task (tests end the double with it). */
  close(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) {
      job.shell?.signal('SIGKILL');
      for (const timer of job.timers) {
        clearTimeout(timer);
      }
    }
    this.journal.clear();
    this.watches.clear();
  }

  stateOf(id: bigint): State | undefined {
    return this.jobs.get(id)?.state;
  }
}

function priorityOf(urgency: number): number {
  if (urgency === 31) {
    return 4294967295;
  }
  return urgency;
}
