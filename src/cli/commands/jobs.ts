/** `jobgate list`, `search` and `info`: jobs as a table, or as JSON for scripts. */
import type { Command } from 'commander';
import { stringifyJson } from '../../lib/json.js';
import { queryJobs } from '../../client/listing.js';
import type { JobDetail, Tag } from '../../client/types.js';
import { clip, renderTable } from '../format/table.js';
import { ago, localTime, shortDuration } from '../format/time.js';
import { paintState } from '../format/style.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { jobIdArgument, showId, stateWord } from './job-words.js';
import { clientAction, wholeNumber, type Finish } from './run.js';
import { addSelectionOptions, selectionOf, type SelectionOptions } from './selection-options.js';

/** The server's largest page. */
const PAGE = 1000;

interface ListOptions extends ConnectionOptions, SelectionOptions {
  limit: number;
  offset: number;
  page?: number;
  sort?: string;
  all?: boolean;
  json?: boolean;
}

/** A tag as it is typed: `name` for the default type, else `type:name`. */
export function tagWord(tag: Tag): string {
  return tag.type === 'default' ? tag.name : `${tag.type}:${tag.name}`;
}

function jobRow(context: ClientContext, job: JobDetail, now: number): string[] {
  const started = job.t_run !== undefined;
  return [
    showId(job.id, context.asciiIds),
    job.owner,
    clip(job.name, 24),
    paintState(context.out, job.held ? 'HELD' : stateWord(job)),
    typeof job.returncode === 'number' ? String(job.returncode) : '',
    String(job.ntasks),
    ago(job.t_submit, now),
    started ? shortDuration(job.runtime) : '',
    clip(job.tags.map(tagWord).join(','), 40),
  ];
}

async function listJobs(context: ClientContext, options: ListOptions, text: string | undefined): Promise<number> {
  const { io } = context;
  if (options.page !== undefined && options.offset > 0) {
    throw new CliExit(EXIT.usage, 'give --page or --offset, not both');
  }
  const selection = { ...selectionOf(options), ...(text === undefined ? {} : { text }) };
  const sort = options.sort?.split(',').map((column) => column.trim()).filter((column) => column !== '');
  const first = options.page === undefined ? options.offset : (options.page - 1) * options.limit;
  const jobs: JobDetail[] = [];
  let offset = first;
  let total = 0;
  for (;;) {
    const limit = options.all === true ? PAGE : Math.min(options.limit - jobs.length, PAGE);
    const page = await queryJobs(context.client, selection, { sort, offset, limit });
    total = page.total;
    jobs.push(...page.items);
    offset += page.items.length;
    const wanted = options.all === true ? total - first : options.limit;
    if (page.items.length === 0 || jobs.length >= wanted || !page.has_more) {
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
  io.stdout.write(renderTable(['JOBID', 'OWNER', 'NAME', 'STATE', 'RC', 'TASKS', 'SUBMITTED', 'RUNTIME', 'TAGS'], jobs.map((job) => jobRow(context, job, now))));
  const shownTo = first + jobs.length;
  if (io.stderr.isTTY === true && (first > 0 || shownTo < total)) {
    io.stderr.write(`${context.err.dim(`${first + 1}-${shownTo} of ${total}${shownTo < total ? ` (more: --offset ${shownTo}, or --all)` : ''}`)}\n`);
  }
  return EXIT.ok;
}

function listOptions(command: Command): Command {
  return addConnectionOptions(addSelectionOptions(command)
    .option('--sort <columns>', 'sort by these columns, first one first: name, -t_submit (descending), runtime:desc... (default: newest first)')
    .option('-l, --limit <n>', 'at most this many (default 20)', wholeNumber(1), 20)
    .option('--offset <n>', 'skip the first n', wholeNumber(0), 0)
    .option('-p, --page <n>', 'the nth page of --limit jobs', wholeNumber(1))
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
  if (job.held) {
    rows.push(['held', job.hold === null ? 'urgency 0' : `by ${job.hold.held_by} ${style.dim(ago(job.hold.t))}${job.hold.reason === '' ? '' : `: ${job.hold.reason}`}`]);
  }
  if (job.tags.length > 0) {
    rows.push(['tags', job.tags.map(tagWord).join(' ')]);
  }
  for (const [key, value] of Object.entries(job.metadata)) {
    rows.push([`meta ${key}`, value]);
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
