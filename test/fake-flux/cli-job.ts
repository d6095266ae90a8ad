/** The double's `flux job ...` subcommands (submit, eventlog, wait-event, info, urgency, id). */
import { dothexOf, hexOf, readJobId } from './ids.js';
import { RpcError } from './client.js';
import { entryJson, entryText, pythonJson, R_FLOATS, type Entry, type Json } from './format.js';
import { connect, err, Exit, f58, flag, jobId, out, parse, readStdin } from './cli-support.js';

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
    const id = readJobId(given);
    if (id === null) {
      throw new Exit(1, `flux-job: ${given}: malformed input\n`);
    }
    const forms: Record<string, () => string> = {
      dec: () => id.toString(),
      f58: () => f58(id),
      hex: () => hexOf(id),
      dothex: () => dothexOf(id),
      kvs: () => `job.${dothexOf(id)}`,
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

export async function job(argv: string[]): Promise<number> {
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

