/**
 * The double's `flux` command (bin/flux runs it; `flux python` and `flux start` are handled
 * there). Each subcommand prints what flux-core 0.88 printed in the recordings — same words,
 * same formats, same exit codes — for the commands jobgate runs and those the recordings
 * exercise around them. transcripts.test.ts replays the recordings against it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseJobId, toDothex, toF58, toHex } from '../../src/lib/jobid.js';
import { formatIdset, parseIdset } from '../../src/executors/flux/idset.js';
import { FluxClient, RpcError, socketPath } from './client.js';
import { entryJson, entryText, pythonJson, R_FLOATS, type Entry, type Json } from './format.js';

class Exit extends Error {
  constructor(
    readonly code: number,
    readonly stderr = '',
  ) {
    super(stderr);
  }
}

const out = (text: string): void => {
  fs.writeSync(1, text);
};
const err = (text: string): void => {
  fs.writeSync(2, text);
};

const ascii = process.env.FLUX_F58_FORCE_ASCII === '1';
const f58 = (id: bigint): string => toF58(id, ascii);

async function connect(command: string): Promise<FluxClient> {
  try {
    return await FluxClient.connect(socketPath(process.env));
  } catch (error: unknown) {
    throw new Exit(1, `flux-${command}: ERROR: Unable to connect to Flux: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

interface Parsed {
  flags: Map<string, string | true>;
  args: string[];
}

/** Minimal option parsing: `--name=value`, `--name value` for those in `valued`, `-x value`, `-xvalue`. */
function parse(argv: string[], valued: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const args: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (args.length > 0 || arg === '-' || !arg.startsWith('-')) {
      args.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) {
        flags.set(name, arg.slice(eq + 1));
      } else if (valued.includes(name)) {
        flags.set(name, argv[++index] ?? '');
      } else {
        flags.set(name, true);
      }
      continue;
    }
    const name = arg.slice(1, 2);
    if (valued.includes(name)) {
      flags.set(name, arg.length > 2 ? arg.slice(2) : (argv[++index] ?? ''));
    } else {
      for (const ch of arg.slice(1)) {
        flags.set(ch, true);
      }
    }
  }
  return { flags, args };
}

function flag(parsed: Parsed, ...names: string[]): string | true | undefined {
  for (const name of names) {
    const value = parsed.flags.get(name);
    if (value !== undefined) {
      return value;
    }
  }
  return undefined;
}

function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- flux job ...

async function jobSubmit(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['urgency']);
  const text = readStdin();
  if (text.trim() === '') {
    throw new Exit(1, 'flux-job: required jobspec is empty\n');
  }
  let jobspec: unknown;
  try {
    jobspec = JSON.parse(text);
  } catch {
    const near = /^\s*\{\s*([^\s"}]+)/.exec(text);
    throw new Exit(1, near !== null ? `flux-job: jobspec: invalid JSON: string or '}' expected near '${near[1] ?? ''}'\n` : 'flux-job: jobspec: invalid JSON\n');
  }
  const client = await connect('job');
  try {
    const reply = await client.rpc('job-ingest.submit', { jobspec, urgency: Number(flag(parsed, 'urgency') ?? 16) });
    out(`${f58(BigInt(String(reply.id)))}\n`);
    return 0;
  } catch (error: unknown) {
    throw new Exit(1, `flux-job: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    client.close();
  }
}

function jobId(text: string | undefined): bigint {
  const id = parseJobId(text ?? '');
  if (id === null) {
    throw new Exit(1, `flux-job: error parsing jobid: "${text ?? ''}"\n`);
  }
  return id;
}

async function jobEventlog(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['f', 'format', 'p', 'path', 'T', 'time-format']);
  const given = parsed.args[0];
  const id = jobId(given);
  const json = flag(parsed, 'f', 'format') === 'json';
  const pathName = String(flag(parsed, 'p', 'path') ?? 'eventlog');
  const key = pathName === 'exec' ? 'guest.exec.eventlog' : pathName === 'output' ? 'guest.output' : pathName;
  const show = (entry: Entry): void => out(`${json ? entryJson(entry) : entryText(entry)}\n`);
  const client = await connect('job');
  try {
    if (flag(parsed, 'F', 'follow') === undefined) {
      let reply: Record<string, unknown>;
      try {
        reply = await client.rpc('job-info.lookup', { id, keys: [key], flags: 0 });
      } catch {
        throw new Exit(1, key === 'eventlog' ? `flux-job: job ${given ?? ''} not found\n` : `flux-job: eventlog path ${pathName} not found\n`);
      }
      for (const line of String(reply[key] ?? '').split('\n')) {
        if (line !== '') {
          show(JSON.parse(line) as Entry);
        }
      }
      return 0;
    }
    let sawClean = false;
    const watch = client.stream('job-info.eventlog-watch', { id, path: key, flags: 1 }, (payload) => {
      const entry = payload.event as Entry;
      sawClean ||= entry.name === 'clean';
      show(entry);
    });
    const end = await watch.done;
    if (end.errno === 2 && key === 'eventlog') {
      throw new Exit(1, `flux-job: job ${given ?? ''} not found\n`);
    }
    if (!sawClean) {
      throw new Exit(1, "flux-job: event 'clean' never received\n");
    }
    return 0;
  } finally {
    client.close();
  }
}

async function jobWaitEvent(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['t', 'timeout', 'f', 'format', 'p', 'path']);
  const [given, name = ''] = parsed.args;
  const id = jobId(given);
  const json = flag(parsed, 'f', 'format') === 'json';
  const timeout = Number(flag(parsed, 't', 'timeout') ?? 0);
  const client = await connect('job');
  try {
    let found: Entry | null = null;
    const watch = client.stream('job-info.eventlog-watch', { id, path: 'eventlog', flags: 0 }, (payload) => {
      const entry = payload.event as Entry;
      if (found === null && entry.name === name) {
        found = entry;
        watch.cancel();
      }
    });
    const timer = timeout > 0 ? setTimeout(() => watch.cancel(), timeout * 1000) : null;
    const end = await watch.done;
    if (timer !== null) {
      clearTimeout(timer);
    }
    if (found !== null) {
      out(`${json ? entryJson(found) : entryText(found)}\n`);
      return 0;
    }
    throw new Exit(1, end.errno === 2 ? `flux-job: job ${given ?? ''} not found\n` : `flux-job: event '${name}' never received\n`);
  } finally {
    client.close();
  }
}

async function jobInfo(argv: string[]): Promise<number> {
  const [given, key = ''] = parse(argv, []).args;
  const id = jobId(given);
  const client = await connect('job');
  try {
    let known = true;
    try {
      await client.rpc('job-info.lookup', { id, keys: ['eventlog'], flags: 0 });
    } catch {
      known = false;
    }
    if (!known) {
      throw new Exit(1, 'flux-job: invalid job id\n');
    }
    let reply: Record<string, unknown>;
    try {
      reply = await client.rpc('job-info.lookup', { id, keys: [key], flags: 0 });
    } catch {
      throw new Exit(1, `flux-job: ${key}: key not found\n`);
    }
    const value = String(reply[key] ?? '');
    out(key === 'R' ? `${pythonJson(JSON.parse(value) as Json, R_FLOATS)}\n` : `${value}\n`);
    return 0;
  } finally {
    client.close();
  }
}

async function jobUrgency(argv: string[]): Promise<number> {
  const parsed = parse(argv, []);
  const [given, value = ''] = parsed.args;
  const id = jobId(given);
  const named: Record<string, number> = { hold: 0, default: 16, expedite: 31 };
  const urgency = named[value.toLowerCase()] ?? Number(value);
  if (!Number.isInteger(urgency) || urgency < 0) {
    throw new Exit(1, `flux-job: urgency: invalid value '${value}'\n`);
  }
  const client = await connect('job');
  try {
    const reply = await client.rpc('job-manager.urgency', { id, urgency });
    if (flag(parsed, 'v', 'verbose') !== undefined) {
      const old = Number(reply.old_urgency);
      err(`old urgency: ${old === 0 ? 'job held' : old === 31 ? 'job expedited' : String(old)}\n`);
    }
    return 0;
  } catch (error: unknown) {
    if (error instanceof RpcError) {
      throw new Exit(1, `flux-job: ${given ?? ''}: ${error.message}\n`);
    }
    throw error;
  } finally {
    client.close();
  }
}

function jobIdConvert(argv: string[]): number {
  const parsed = parse(argv, ['to']);
  const to = String(flag(parsed, 'to') ?? 'dec');
  for (const given of parsed.args) {
    const id = parseJobId(given);
    if (id === null) {
      throw new Exit(1, `flux-job: ${given}: malformed input\n`);
    }
    const forms: Record<string, () => string> = {
      dec: () => id.toString(),
      f58: () => f58(id),
      hex: () => toHex(id),
      dothex: () => toDothex(id),
      kvs: () => `job.${toDothex(id)}`,
    };
    const form = forms[to];
    if (form === undefined) {
      throw new Exit(1, `flux-job: --to=${to}: unsupported by this double\n`);
    }
    out(`${form()}\n`);
  }
  return 0;
}

const JOB_USAGE = `Usage: flux-job [OPTIONS] COMMAND ARGS
  -h, --help             Display this message.

Common commands from flux-job:
   urgency         Set job urgency (0-31, HOLD, EXPEDITE, DEFAULT)
   raise           Raise exception on one or more jobs
   raiseall        Raise an exception on multiple jobs.
   kill            Send signal to one or more running jobs
   killall         Send signal to multiple running jobs
   attach          Interactively attach to job
   status          Wait for job(s) to complete and exit with largest exit code
   submit          Run job
   id              Convert jobid(s) to another form
   eventlog        Display eventlog for a job
   wait-event      Wait for an event 
   info            Display info for a job
   stats           Get current job stats
   namespace       Convert job ids to job guest kvs namespace names
   wait            Wait for job(s) to complete.
   memo            Post an RFC 21 memo to a job
   taskmap         Utility function for working with job task maps
   timeleft        Find remaining runtime for job or enclosing instance
   hostpids        Print host:pid pairs for tasks in JOBID
   last            List my most recently submitted job id(s)
   purge           Purge the oldest inactive jobs
`;

async function job(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'submit':
      return jobSubmit(rest);
    case 'eventlog':
      return jobEventlog(rest);
    case 'wait-event':
      return jobWaitEvent(rest);
    case 'info':
      return jobInfo(rest);
    case 'urgency':
      return jobUrgency(rest);
    case 'id':
      return jobIdConvert(rest);
    default:
      throw new Exit(1, JOB_USAGE);
  }
}

// ---------------------------------------------------------------- flux cancel / submit

async function cancel(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['m', 'message']);
  const ids = parsed.args.map((given) => {
    const id = parseJobId(given);
    if (id === null) {
      throw new Exit(2, `usage: flux cancel [OPTIONS] [JOBID...]\nflux-cancel: error: argument JOBID...: invalid JobID value: '${given}'\n`);
    }
    return id;
  });
  const note = flag(parsed, 'm', 'message');
  const client = await connect('cancel');
  let code = 0;
  try {
    for (const id of ids) {
      try {
        await client.rpc('job-manager.raise', { id, type: 'cancel', severity: 0, note: typeof note === 'string' ? note : '' });
      } catch (error: unknown) {
        err(`flux-cancel: ERROR: ${f58(id)}: ${error instanceof Error ? error.message : String(error)}\n`);
        code = 1;
      }
    }
  } finally {
    client.close();
  }
  return code;
}

/** Flux standard duration: a number with s/m/h/d (no unit for -t means minutes). */
function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text);
  if (match === null) {
    throw new Exit(1, 'flux-submit: ERROR: invalid Flux standard duration\n');
  }
  const scale: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * (scale[match[2] ?? 'm'] ?? 60);
}

/** `flux submit` as a user types it (the double's own small version of flux's jobspec building). */
async function submit(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['n', 'ntasks', 'c', 'cores-per-task', 'N', 'nodes', 'g', 'gpus-per-task', 't', 'time-limit', 'urgency', 'o', 'setopt', 'job-name', 'cwd']);
  if (parsed.args.length === 0) {
    throw new Exit(1, 'flux-submit: ERROR: job command and arguments are missing\n');
  }
  const nodes = flag(parsed, 'N', 'nodes');
  const exclusive = flag(parsed, 'exclusive') !== undefined;
  if (exclusive && nodes === undefined) {
    throw new Exit(1, 'flux-submit: ERROR: exclusive can only be set with a node count\n');
  }
  const limit = flag(parsed, 't', 'time-limit');
  const seconds = typeof limit === 'string' ? duration(limit) : 0;
  const urgencyText = flag(parsed, 'urgency');
  const urgency = typeof urgencyText === 'string' ? ({ hold: 0, default: 16, expedite: 31 } as Record<string, number>)[urgencyText] ?? Number(urgencyText) : 16;
  if (urgency < 0 || urgency > 31) {
    throw new Exit(1, '[Errno 22] urgency range is [0:31]\n');
  }
  const ntasksGiven = flag(parsed, 'n', 'ntasks');
  const nnodes = typeof nodes === 'string' ? Number(nodes) : null;
  const ntasks = typeof ntasksGiven === 'string' ? Number(ntasksGiven) : (nnodes ?? 1);
  const cores = Number(flag(parsed, 'c', 'cores-per-task') ?? 1);
  const gpus = Number(flag(parsed, 'g', 'gpus-per-task') ?? 0);
  const children: Json[] = [{ type: 'core', count: cores }];
  if (gpus > 0) {
    children.push({ type: 'gpu', count: gpus });
  }
  const slot = (count: number): Json => ({ type: 'slot', count, with: children, label: 'task' });
  const resources: Json[] = nnodes === null
    ? [slot(ntasks)]
    : [{ type: 'node', count: nnodes, ...(exclusive || ntasksGiven === undefined ? { exclusive: true } : {}), with: [slot(Math.ceil(ntasks / nnodes))] }];
  const options: Record<string, Json> = {};
  if (flag(parsed, 'u', 'unbuffered') !== undefined) {
    options.output = { stdout: { buffer: { type: 'none' } }, stderr: { buffer: { type: 'none' } }, 'batch-timeout': 0.05 };
    options.input = { 'batch-timeout': 0.0 };
  }
  const setopt = flag(parsed, 'o', 'setopt');
  if (typeof setopt === 'string') {
    const [key = '', value] = setopt.split(/=(.*)/s);
    let parsedValue: Json = value === undefined ? 1 : value;
    try {
      parsedValue = value === undefined ? 1 : (JSON.parse(value) as Json);
    } catch {
      // text
    }
    let node: Record<string, Json> = options;
    const keys = key.split('.');
    for (const part of keys.slice(0, -1)) {
      const next = node[part];
      node = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (node[part] = {});
    }
    node[keys[keys.length - 1] ?? key] = parsedValue;
  }
  const environment = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const system: Record<string, Json> = { duration: seconds, environment, cwd: String(flag(parsed, 'cwd') ?? process.cwd()) };
  const name = flag(parsed, 'job-name');
  if (typeof name === 'string') {
    system.job = { name };
  }
  system.shell = { options };
  const jobspec = { resources, tasks: [{ command: parsed.args, slot: 'task', count: { per_slot: 1 } }], attributes: { system }, version: 1 };
  if (flag(parsed, 'dry-run') !== undefined) {
    out(`${JSON.stringify(jobspec)}\n`);
    return 0;
  }
  const client = await connect('submit');
  try {
    const reply = await client.rpc('job-ingest.submit', { jobspec, urgency });
    if (flag(parsed, 'quiet') === undefined) {
      out(`${f58(BigInt(String(reply.id)))}\n`);
    }
    return 0;
  } catch (error: unknown) {
    throw new Exit(1, `flux-submit: ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------- resources, attributes, queue, shutdown

interface RankInfo {
  rank: number;
  host: string;
  cores: number[];
  free: number[];
  gpus: number;
  drained: boolean;
}

/** Rlist's compact form: ranks with the same cores grouped, `rank[0-1]/core[0-1]`. */
function rlist(entries: { rank: number; cores: number[] }[]): string {
  const groups = new Map<string, number[]>();
  for (const entry of entries.filter((item) => item.cores.length > 0)) {
    const key = formatIdset(entry.cores, true);
    groups.set(key, [...(groups.get(key) ?? []), entry.rank]);
  }
  return [...groups.entries()].map(([cores, ranks]) => `rank${formatIdset(ranks, true)}/core${cores}`).join(' ');
}

async function resource(argv: string[]): Promise<number> {
  const [sub = '', ...rest] = argv;
  const parsed = parse(rest, ['o', 'format']);
  const client = await connect('resource');
  try {
    if (sub === 'drain' || sub === 'undrain') {
      await client.rpc(`resource.${sub}`, { ranks: parseIdset(parsed.args[0] ?? '') });
      return 0;
    }
    const reply = await client.rpc('resource.status');
    const ranks = reply.ranks as RankInfo[];
    const hosts = (list: RankInfo[]): string => list.map((item) => item.host).join(',');
    if (sub === 'R') {
      const cores = ranks[0]?.cores ?? [];
      out(`${pythonJson({ version: 1, execution: { R_lite: [{ rank: formatIdset(ranks.map((item) => item.rank)), children: { core: formatIdset(cores) } }], starttime: 0, expiration: 0, nodelist: [hosts(ranks)] } }, R_FLOATS)}\n`);
      return 0;
    }
    if (sub === 'list') {
      const up = ranks.filter((item) => !item.drained);
      const down = ranks.filter((item) => item.drained);
      const rows: { state: string; entries: { rank: number; host: string; cores: number[] }[] }[] = [
        { state: 'free', entries: up.map((item) => ({ rank: item.rank, host: item.host, cores: item.free })) },
        { state: 'allocated', entries: up.map((item) => ({ rank: item.rank, host: item.host, cores: item.cores.filter((core) => !item.free.includes(core)) })) },
        { state: 'down', entries: down.map((item) => ({ rank: item.rank, host: item.host, cores: item.cores })) },
      ];
      const format = flag(parsed, 'o', 'format');
      if (format === 'json') {
        throw new Exit(1, "flux-resource: ERROR: --format: No such format json (Did you mean '{json}'?)\n");
      }
      if (format === undefined) {
        out('     STATE NNODES NCORES NGPUS NODELIST\n');
      }
      for (const row of rows) {
        const used = row.entries.filter((entry) => entry.cores.length > 0);
        const ncores = used.reduce((sum, entry) => sum + entry.cores.length, 0);
        const nodelist = used.map((entry) => entry.host).join(',');
        if (format === undefined) {
          out(`${row.state.padStart(10)} ${String(used.length).padStart(6)} ${String(ncores).padStart(6)} ${'0'.padStart(5)} ${nodelist}\n`);
        } else if (format === '{state} {nnodes} {ncores} {ngpus} {nodelist} {rlist}') {
          out(`${row.state} ${used.length} ${ncores} 0 ${nodelist} ${rlist(used)}\n`);
        } else {
          throw new Exit(1, `flux-resource: the double does not know the format ${String(format)}\n`);
        }
      }
      return 0;
    }
    if (sub === 'status') {
      const format = flag(parsed, 'o', 'format');
      const groups = [
        { state: 'avail', list: ranks.filter((item) => !item.drained) },
        { state: 'drained', list: ranks.filter((item) => item.drained) },
      ].filter((group) => group.list.length > 0);
      if (format === undefined) {
        out('       STATEUP NNODES NODELIST\n');
      }
      for (const group of groups) {
        const rankText = formatIdset(group.list.map((item) => item.rank));
        if (format === undefined) {
          out(`${group.state.padStart(12)} ✔ ${String(group.list.length).padStart(6)} ${hosts(group.list)}\n`);
        } else if (format === '{state} {nnodes} {ranks} {nodelist}') {
          out(`${group.state} ${group.list.length} ${rankText} ${hosts(group.list)}\n`);
        } else {
          throw new Exit(1, `flux-resource: the double does not know the format ${String(format)}\n`);
        }
      }
      return 0;
    }
    throw new Exit(2, `flux-resource: the double has no subcommand ${sub}\n`);
  } finally {
    client.close();
  }
}

async function getattr(argv: string[]): Promise<number> {
  const name = argv[0] ?? '';
  const client = await connect('getattr');
  try {
    const reply = await client.rpc('attr.get', { name });
    out(`${String(reply.value)}\n`);
    return 0;
  } catch (error: unknown) {
    if (error instanceof RpcError) {
      throw new Exit(1, `flux-getattr: ${name}: ${error.message}\n`);
    }
    throw error;
  } finally {
    client.close();
  }
}

async function queue(argv: string[]): Promise<number> {
  const sub = argv[0] ?? 'status';
  const client = await connect('queue');
  try {
    if (sub === 'stop' || sub === 'start') {
      await client.rpc(`queue.${sub}`);
      out(`Scheduling is ${sub === 'stop' ? 'stopped' : 'started'}\n`);
      return 0;
    }
    const reply = await client.rpc('queue.status');
    out(`Job submission is enabled\nScheduling is ${reply.stopped === true ? 'stopped' : 'started'}\n`);
    return 0;
  } finally {
    client.close();
  }
}

async function shutdown(): Promise<number> {
  const client = await connect('shutdown');
  await client.rpc('shutdown.start');
  client.close();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'job':
      return job(rest);
    case 'cancel':
      return cancel(rest);
    case 'submit':
      return submit(rest);
    case 'resource':
      return resource(rest);
    case 'getattr':
      return getattr(rest);
    case 'queue':
      return queue(rest);
    case 'shutdown':
      return shutdown();
    case 'jobs':
      // Only its connection error is reproduced (the recordings' unreachable-instance case).
      (await connect('jobs')).close();
      throw new Exit(2, 'flux-jobs: not implemented by the double\n');
    default:
      throw new Exit(1, `flux: \`${command ?? ''}' is not a flux command.  See 'flux --help'\n`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Exit) {
      err(error.stderr);
      process.exit(error.code);
    }
    err(`fake flux (${path.basename(process.argv[1] ?? 'flux')}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
