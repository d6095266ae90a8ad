/**
 * `jobgate export`: the jobs filter options choose, as CSV (header row first), a JSON array or
 * JSON lines, with chosen fields, streamed to stdout or a file as the server sends them (fine
 * for 100,000s of jobs: nothing is held in memory).
 */
import fs from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { exportJobs } from '../../client/listing.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ConnectionOptions, type Terminal } from './context.js';
import { clientAction, type Finish } from './run.js';
import { addSelectionOptions, selectionOf, type SelectionOptions } from './selection-options.js';

const FORMATS = ['csv', 'json', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

interface ExportOptions extends ConnectionOptions, SelectionOptions {
  format: Format;
  fields?: string;
  times?: 'epoch' | 'iso';
  sort?: string;
  output?: string;
}

function format(text: string): Format {
  const found = FORMATS.find((name) => name === text);
  if (found === undefined) {
    throw new InvalidArgumentError(`expected ${FORMATS.join(', ')}`);
  }
  return found;
}

function times(text: string): 'epoch' | 'iso' {
  if (text !== 'epoch' && text !== 'iso') {
    throw new InvalidArgumentError('expected epoch or iso');
  }
  return text;
}

/** A Terminal as a Writable (backpressure included: a full pipe pauses the download). */
function terminalStream(terminal: Terminal): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (terminal.write(chunk) || terminal.once === undefined) {
        done();
      } else {
        terminal.once('drain', () => done());
      }
    },
  });
}

const list = (text: string | undefined): string[] | undefined => text?.split(',').map((item) => item.trim()).filter((item) => item !== '');

export function addExportCommand(program: Command, io: CliIo, finish: Finish): void {
  const command = addConnectionOptions(addSelectionOptions(program
    .command('export')
    .description('export jobs (all that match the filter options) as CSV, JSON or JSON lines, streamed'))
    .option('-F, --format <format>', 'csv (with a header row), json (an array) or ndjson (one object a line)', format, 'csv')
    .option('--fields <names>', 'columns, in order, comma-separated (default: the server\'s; e.g. id,jobid,name,state,result,tags)')
    .option('--times <form>', 'times as epoch seconds (default) or iso (ISO 8601 UTC)', times)
    .option('--sort <columns>', 'sort by these columns: name, -t_submit (descending)... (default: newest first)')
    .option('-o, --output <file>', 'write to this file instead of stdout'));
  command.action(clientAction<ExportOptions>(io, finish, async (context, options) => {
    const response = await exportJobs(context.client, selectionOf(options), { format: options.format, fields: list(options.fields), times: options.times, sort: list(options.sort) });
    if (response.body === null) {
      throw new CliExit(EXIT.failed, 'the export has no body');
    }
    const target = options.output === undefined ? terminalStream(io.stdout) : fs.createWriteStream(options.output);
    try {
      await pipeline(Readable.fromWeb(response.body), target);
    } catch (error: unknown) {
      throw new CliExit(EXIT.failed, `export${options.output === undefined ? '' : ` to ${options.output}`} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return EXIT.ok;
  }));
}
