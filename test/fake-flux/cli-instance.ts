/** The double's instance-wide commands: cancel, submit, resource, getattr, queue, shutdown. */
import { readJobId } from './ids.js';
import { bracketedIdset, hostlistText, idsetText, readIdset } from './lists.js';
import { RpcError } from './client.js';
import { pythonJson, R_FLOATS, type Json } from './format.js';
import { connect, err, Exit, f58, flag, out, parse } from './cli-support.js';

export async function cancel(argv: string[]): Promise<number> {
  const parsed = parse(argv, ['m', 'message']);
  const ids = parsed.args.map((given) => {
    const id = readJobId(given);
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
export async function submit(argv: string[]): Promise<number> {
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

interface RankInfo {
  rank: number;
  host: string;
  cores: number[];
  free: number[];
  gpus: number;
  status: 'avail' | 'drained' | 'offline' | 'exclude';
}

/** Rlist's compact form: ranks with the same cores grouped, `rank[0-1]/core[0-1]`. */
function rlist(entries: { rank: number; cores: number[] }[]): string {
  const groups = new Map<string, number[]>();
  for (const entry of entries.filter((item) => item.cores.length > 0)) {
    const key = bracketedIdset(entry.cores);
    groups.set(key, [...(groups.get(key) ?? []), entry.rank]);
  }
  return [...groups.entries()].map(([cores, ranks]) => `rank${bracketedIdset(ranks)}/core${cores}`).join(' ');
}

export async function resource(argv: string[]): Promise<number> {
  const [sub = '', ...rest] = argv;
  const parsed = parse(rest, ['o', 'format']);
  const client = await connect('resource');
  try {
    if (sub === 'drain' || sub === 'undrain') {
      await client.rpc(`resource.${sub}`, { ranks: readIdset(parsed.args[0] ?? '') });
      return 0;
    }
    const reply = await client.rpc('resource.status');
    const ranks = reply.ranks as RankInfo[];
    const hosts = (list: { host: string }[]): string => hostlistText(list.map((item) => item.host));
    if (sub === 'R') {
      const cores = ranks[0]?.cores ?? [];
      out(`${pythonJson({ version: 1, execution: { R_lite: [{ rank: idsetText(ranks.map((item) => item.rank)), children: { core: idsetText(cores) } }], starttime: 0, expiration: 0, nodelist: [hosts(ranks)] } }, R_FLOATS)}\n`);
      return 0;
    }
    if (sub === 'list') {
      // A drained rank is `down` here (15); offline and excluded ranks are put there too, which
      // no recording shows (all ranks of 14 and 15 were online and configured).
      const up = ranks.filter((item) => item.status === 'avail');
      const down = ranks.filter((item) => item.status !== 'avail');
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
        const nodelist = hosts(used);
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
      // avail and drained as recorded (15); offline and exclude are states of the same
      // command not seen in a recording: the double lists them the same way.
      const groups = ['avail', 'offline', 'exclude', 'drained']
        .map((state) => ({ state, list: ranks.filter((item) => item.status === state) }))
        .filter((group) => group.list.length > 0);
      if (format === undefined) {
        out('       STATEUP NNODES NODELIST\n');
      }
      for (const group of groups) {
        const rankText = idsetText(group.list.map((item) => item.rank));
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

export async function getattr(argv: string[]): Promise<number> {
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

export async function queue(argv: string[]): Promise<number> {
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

/**
 * `flux shutdown` waits for the instance to be gone (a job's `flux shutdown` printed the
 * broker's progress and never returned, 18). The double prints no progress lines, and exits 0
 * when the broker closes the connection: the exit code seen from outside the initial program's
 * process group is not recorded (inside it, the command died of the SIGHUP).
 */
export async function shutdown(): Promise<number> {
  const client = await connect('shutdown');
  await client.rpc('shutdown.start');
  await client.closed;
  return 0;
}

