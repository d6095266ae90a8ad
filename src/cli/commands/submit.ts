/** `jobgate submit`: run a command (or a template) as a job, print its id, or follow it to the end. */
import { InvalidArgumentError, type Command } from 'commander';
import { stringifyJson } from '../../lib/json.js';
import { submitTemplate } from '../../client/templates.js';
import type { SubmitRequest, WireId } from '../../client/types.js';
import { parseTimeLimit } from '../format/time.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { followJob, reconnectOption } from './follow-job.js';
import { showId } from './job-words.js';
import { clientAction, collect, keyValues, wholeNumber, type Finish } from './run.js';

interface SubmitOptions extends ConnectionOptions {
  tasks?: number;
  coresPerTask?: number;
  gpusPerTask?: number;
  nodes?: number;
  timeLimit?: number;
  cwd?: string;
  env: string[];
  name?: string;
  queue?: string;
  urgency?: number;
  exclusive?: boolean;
  setopt: string[];
  follow?: boolean;
  reconnect?: number;
  json?: boolean;
  template?: string;
  param: string[];
  tag: string[];
  meta: string[];
}

/** The options that describe the job itself: a template sets them all. */
const JOB_OPTIONS = ['tasks', 'coresPerTask', 'gpusPerTask', 'nodes', 'timeLimit', 'cwd', 'name', 'queue', 'urgency', 'exclusive'] as const;

async function submitFromTemplate(context: ClientContext, name: string, options: SubmitOptions, argv: string[]): Promise<WireId> {
  const given = JOB_OPTIONS.filter((option) => options[option] !== undefined).map((option) => `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  if (argv.length > 0 || given.length > 0 || options.env.length > 0 || options.setopt.length > 0) {
    throw new CliExit(EXIT.usage, `--template ${name} sets the command and its options; give only --param, --tag and --meta${given.length > 0 ? ` (not ${given.join(', ')})` : ''}`);
  }
  const answer = await submitTemplate(context.client, name, {
    ...(options.param.length > 0 ? { params: keyValues('--param', options.param) } : {}),
    ...(options.tag.length > 0 ? { tags: options.tag } : {}),
    ...(options.meta.length > 0 ? { metadata: keyValues('--meta', options.meta) } : {}),
  });
  return answer.id;
}

function timeLimit(text: string): number {
  const seconds = parseTimeLimit(text);
  if (seconds === undefined) {
    throw new InvalidArgumentError('expected a duration such as 30s, 10m, 1h30m or 1:30:00 (a bare number is minutes)');
  }
  return seconds;
}

/** `NAME=VALUE`, or `NAME` alone to pass this shell's value on (as `docker run -e` does). */
export function environment(pairs: string[], here: CliIo['env']): Record<string, string> {
  const envars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new CliExit(EXIT.usage, `--env ${pair}: '${name}' is not a variable name`);
    }
    const value = eq < 0 ? here[name] : pair.slice(eq + 1);
    if (value === undefined) {
      throw new CliExit(EXIT.usage, `--env ${name}: not set here (give NAME=VALUE)`);
    }
    envars[name] = value;
  }
  return envars;
}

function shellOptions(pairs: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    // `-o pty` means pty=1, as in flux.
    flags[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? '1' : pair.slice(eq + 1);
  }
  return flags;
}

async function submitCommand(context: ClientContext, options: SubmitOptions, argv: string[]): Promise<WireId> {
  if (argv.length === 0) {
    throw new CliExit(EXIT.usage, 'submit: give a command (or --template NAME)');
  }
  if (options.param.length + options.tag.length + options.meta.length > 0) {
    throw new CliExit(EXIT.usage, '--param, --tag and --meta go with --template');
  }
  const request: SubmitRequest = {
    command: argv,
    ...(options.env.length > 0 ? { envars: environment(options.env, context.io.env) } : {}),
    ...(options.tasks === undefined ? {} : { num_tasks: options.tasks }),
    ...(options.coresPerTask === undefined ? {} : { cores_per_task: options.coresPerTask }),
    ...(options.gpusPerTask === undefined ? {} : { gpus_per_task: options.gpusPerTask }),
    ...(options.nodes === undefined ? {} : { num_nodes: options.nodes }),
    ...(options.timeLimit === undefined ? {} : { runtime: options.timeLimit }),
    ...(options.cwd === undefined ? {} : { workdir: options.cwd }),
    ...(options.name === undefined ? {} : { job_name: options.name }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    ...(options.urgency === undefined ? {} : { urgency: options.urgency }),
    ...(options.exclusive === true ? { exclusive: true } : {}),
    ...(options.setopt.length > 0 ? { option_flags: shellOptions(options.setopt) } : {}),
  };
  return context.client.submit(request);
}

export function addSubmitCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = program
    .command('submit')
    .description('submit a command (or a template: --template) as a job and print its id (options go before the command)')
    .argument('[command...]', 'the program and its arguments, passed as they are (no shell; use sh -c "..." for one)')
    .option('-n, --tasks <n>', 'number of tasks', wholeNumber(1))
    .option('-c, --cores-per-task <n>', 'cores per task', wholeNumber(1))
    .option('-g, --gpus-per-task <n>', 'GPUs per task', wholeNumber(0))
    .option('-N, --nodes <n>', 'number of nodes', wholeNumber(1))
    .option('-t, --time-limit <duration>', 'time limit: 30s, 10m, 1h30m, 1:30:00 (a bare number is minutes, as in flux and sbatch)', timeLimit)
    .option('--cwd <dir>', "working directory on the server's side (default: the server's)")
    .option('-e, --env <NAME=VALUE>', 'set a variable for the job (repeat it); NAME alone passes on the value it has here', collect, [])
    .option('--name <name>', 'job name (default: the program name)')
    .option('-q, --queue <queue>', 'queue (Slurm partition)')
    .option('--urgency <n>', 'urgency 0-31 (0 holds the job, 16 default, 31 expedites)', wholeNumber(0))
    .option('--exclusive', 'whole nodes')
    .option('-o, --setopt <key=value>', 'job shell option (repeat it), e.g. -o pty', collect, [])
    .option('-f, --follow', "follow the output until the job ends, and exit with the job's return code")
    .option('--reconnect <duration>', 'with --follow: how long to keep trying to get a lost connection back (default 1m)', reconnectOption)
    .option('--json', 'print {"id": ...} (the exact 64-bit id) instead of the F58 id')
    .option('-T, --template <name>', 'submit from this template (see `jobgate templates`) instead of a command')
    .option('-p, --param <key=value>', 'with --template: a parameter (repeat it)', collect, [])
    .option('--tag <tag>', 'with --template: tag the job, type:name or name (repeat it)', collect, [])
    .option('--meta <key=value>', 'with --template: metadata for the job (repeat it)', collect, [])
    .passThroughOptions();
  addConnectionOptions(command).action(clientAction<SubmitOptions>(io, finish, async (context, options, argv) => {
    const id = options.template === undefined ? await submitCommand(context, options, argv) : await submitFromTemplate(context, options.template, options, argv);
    const shown = options.json === true ? stringifyJson({ id }) : showId(id, context.asciiIds);
    if (options.follow !== true) {
      io.stdout.write(`${shown}\n`);
      return EXIT.ok;
    }
    // Following: stdout is the job's; the id goes to stderr.
    io.stderr.write(`${context.err.dim(shown)}\n`);
    return followJob(context, id, options.reconnect === undefined ? {} : { reconnect: options.reconnect });
  }));
}
