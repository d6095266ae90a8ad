/** `jobgate list`, `search` and `info`: jobs as a table, or as JSON for scripts. */
import type { Command } from 'commander';
import { stringifyJson } from '../../lib/json.js';
import type { JobDetail, SearchRequest } from '../../client/types.js';
import { clip, renderTable } from '../format/table.js';
import { ago, localTime, shortDuration } from '../format/time.js';
import { paintState } from '../format/style.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { jobIdArgument, showId, stateWord } from './job-words.js';
import { clientAction, collect, wholeNumber, type Finish } from './run.js';

const STATES = ['DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP', 'INACTIVE'];
const RESULTS = ['COMPLETED', 'FAILED', 'CANCELED', 'TIMEOUT'];
/** The server's largest page. */
const PAGE = 1000;

interface ListOptions extends ConnectionOptions {
  state: string[];
  owner?: string;
  name?: string;
  limit: number;
  offset: number;
  all?: boolean;
  json?: boolean;
}

function filters(options: ListOptions): Pick<SearchRequest, 'states' | 'results' | 'owner' | 'name'> {
  const words = options.state.flatMap((value) => value.split(',')).map((word) => word.trim().toUpperCase()).filter((word) => word !== '');
  // `--state running` / `--state failed`: states and results are one vocabulary on the command line.
  const aliases: Record<string, string[]> = { RUNNING: ['RUN'], PENDING: ['DEPEND', 'PRIORITY', 'SCHED'], ACTIVE: ['DEPEND', 'PRIORITY', 'SCHED', 'RUN', 'CLEANUP'], DONE: ['INACTIVE'], CANCELLED: ['CANCELED'] };
  const resolved = words.flatMap((word) => aliases[word] ?? [word]);
  const unknown = resolved.filter((word) => !STATES.includes(word) && !RESULTS.includes(word));
  if (unknown.length > 0) {
    throw new CliExit(EXIT.usage, `--state: unknown ${unknown.join(', ')} (one of ${[...STATES, ...RESULTS].join(', ')}, or active, pending)`);
  }
  return {
    states: resolved.filter((word) => STATES.includes(word)),
    results: resolved.filter((word) => RESULTS.includes(word)),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.name === undefined ? {} : { name: options.name }),
  };
}

function jobRow(context: ClientContext, job: JobDetail, now: number): string[] {
  const started = job.t_run !== undefined;
  return [
    showId(job.id, context.asciiIds),
    job.owner,
    clip(job.name, 24),
    paintState(context.out, stateWord(job)),
    typeof job.returncode === 'number' ? String(job.returncode) : '',
    String(job.ntasks),
    ago(job.t_submit, now),
    started ? shortDuration(job.runtime) : '',
  ];
}

async function listJobs(context: ClientContext, options: ListOptions, text: string | undefined): Promise<number> {
  const { io } = context;
  const base = { ...filters(options), ...(text === undefined ? {} : { text }) };
  const jobs: JobDetail[] = [];
  let start = options.offset;
  let total = 0;
  for (;;) {
    const length = options.all === true ? PAGE : Math.min(options.limit - jobs.length, PAGE);
    const page = await context.client.search({ ...base, start, length });
    total = page.recordsFiltered;
    jobs.push(...page.data);
    start += page.data.length;
    const wanted = options.all === true ? total - options.offset : options.limit;
    if (page.data.length === 0 || jobs.length >= wanted || start >= total) {
      break;
    }
  }
  if (options.json === true) {
    io.stdout.write(`${stringifyJson(jobs, 2)}\n`);
    return EXIT.ok;
  }
  if (jobs.length === 0) {
    if (io.stderr.isTTY === true) {
      io.stderr.write(`no jobs${text === undefined ? '' : ` match '${text}'`}\n`);
    }
    return EXIT.ok;
  }
  const now = Date.now() / 1000;
  io.stdout.write(renderTable(['JOBID', 'OWNER', 'NAME', 'STATE', 'RC', 'TASKS', 'SUBMITTED', 'RUNTIME'], jobs.map((job) => jobRow(context, job, now))));
  const shownTo = options.offset + jobs.length;
  if (io.stderr.isTTY === true && (options.offset > 0 || shownTo < total)) {
    io.stderr.write(`${context.err.dim(`${options.offset + 1}-${shownTo} of ${total}${shownTo < total ? ` (more: --offset ${shownTo}, or --all)` : ''}`)}\n`);
  }
  return EXIT.ok;
}

function listOptions(command: Command): Command {
  return addConnectionOptions(command
    .option('-s, --state <states>', 'only jobs in these states or with these results, comma-separated (run, sched, completed, failed, active...)', collect, [])
    .option('-u, --owner <user>', "only this user's jobs")
    .option('--name <name>', 'only jobs of this name')
    .option('-l, --limit <n>', 'at most this many (default 20)', wholeNumber(1), 20)
    .option('--offset <n>', 'skip the first n', wholeNumber(0), 0)
    .option('-a, --all', 'every matching job (page by page)')
    .option('--json', 'JSON: the jobs as the API describes them, ids exact'));
}

function detailLines(context: ClientContext, job: JobDetail): string {
  const style = context.out;
  const rows: [string, string][] = [
    ['id', `${showId(job.id, context.asciiIds)}  ${style.dim(BigInt(job.id).toString())}`],
    ['name', job.name],
    ['owner', job.owner],
    ['state', `${paintState(style, job.state)}${job.result === '' ? '' : `  ${paintState(style, job.result)}`}${typeof job.returncode === 'number' ? `  return code ${job.returncode}` : ''}`],
    ['command', job.command.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(' ')],
    ['cwd', job.cwd === '' ? style.dim('(server default)') : job.cwd],
    ['resources', `${job.ntasks} task(s), ${job.ncores} core(s), ${job.ngpus} GPU(s)${job.nodelist === '' ? '' : ` on ${job.nodelist}`}`],
    ['time limit', job.duration > 0 ? shortDuration(job.duration) : 'none'],
    ['submitted', `${localTime(job.t_submit)}  ${style.dim(ago(job.t_submit))}`],
  ];
  if (job.t_run !== undefined) {
    rows.push(['started', localTime(job.t_run)]);
    rows.push(['runtime', shortDuration(job.runtime)]);
  }
  if (job.t_inactive !== undefined) {
    rows.push(['ended', localTime(job.t_inactive)]);
  }
  if (job.exception.occurred === true) {
    rows.push(['exception', `${job.exception.type}${job.exception.note === '' ? '' : `: ${job.exception.note}`}`]);
  }
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${style.dim(key.padEnd(width))}  ${value}`).join('\n') + '\n';
}

export function addJobsCommands(program: Command, io: CliIo, finish: Finish): void {
  listOptions(program.command('list').alias('ls').description('list jobs, newest first')).action(
    clientAction<ListOptions>(io, finish, (context, options) => listJobs(context, options, undefined)),
  );

  listOptions(program.command('search').description('find jobs whose id, name, command, owner, state or result contains the text').argument('<text>', 'what to look for')).action(
    clientAction<ListOptions>(io, finish, (context, options, [text]) => listJobs(context, options, text)),
  );

  addConnectionOptions(program.command('info').description("a job's details").argument('<jobid>', 'the job (decimal, F58, hex...)').option('--json', 'JSON, ids exact')).action(
    clientAction<ConnectionOptions & { json?: boolean }>(io, finish, async (context, options, [text]) => {
      const job = await context.client.job(jobIdArgument(text ?? ''));
      io.stdout.write(options.json === true ? `${stringifyJson(job, 2)}\n` : detailLines(context, job));
      return EXIT.ok;
    }),
  );
}
