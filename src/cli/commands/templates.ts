/**
 * `jobgate templates list|show|create|delete`: the job templates this user may use. A template
 * is created from a JSON file (`{"description", "parameters", "job"}`, as the API takes it);
 * jobs are submitted from one with `jobgate submit --template NAME --param key=value`.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { deleteTemplate, getTemplate, listTemplates, saveTemplate } from '../../client/templates.js';
import type { JobTemplate } from '../../client/types.js';
import { stringifyJson } from '../../lib/json.js';
import { clip, renderTable } from '../format/table.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ConnectionOptions } from './context.js';
import { clientAction, type Finish } from './run.js';

interface CreateOptions extends ConnectionOptions {
  file: string;
  description?: string;
  shared?: boolean;
  replace?: boolean;
}

async function readText(file: string, stdin: NodeJS.ReadStream): Promise<string> {
  if (file !== '-') {
    return fs.readFileSync(file, 'utf8');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readDefinition(file: string, stdin: NodeJS.ReadStream): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readText(file, stdin);
  } catch (error: unknown) {
    throw new CliExit(EXIT.usage, `--file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch {
    throw new CliExit(EXIT.usage, `--file ${file}: not JSON (a template is {"description", "parameters", "job"})`);
  }
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new CliExit(EXIT.usage, `--file ${file}: expected a JSON object {"description", "parameters", "job"}`);
  }
  return definition as Record<string, unknown>;
}

function value(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

function templateText(template: JobTemplate): string {
  const lines = [`${template.name}  (${template.owner}${template.shared ? ', shared' : ''}, revision ${template.revision})`];
  if (template.description !== '') {
    lines.push(template.description);
  }
  const parameters = Object.entries(template.parameters);
  lines.push('');
  lines.push(parameters.length === 0
    ? 'no parameters'
    : renderTable(['PARAMETER', 'TYPE', 'DEFAULT', 'ALLOWED', 'DESCRIPTION'], parameters.map(([name, spec]) => [
        name,
        spec.type,
        spec.required === true ? '(required)' : value(spec.default),
        [spec.enum === undefined ? '' : spec.enum.map(String).join('|'), spec.minimum === undefined ? '' : `>=${spec.minimum}`, spec.maximum === undefined ? '' : `<=${spec.maximum}`, spec.max_length === undefined ? '' : `<=${spec.max_length} chars`].filter(Boolean).join(' '),
        spec.description ?? '',
      ])).trimEnd());
  lines.push('');
  lines.push(`job: ${stringifyJson(template.job)}`);
  return `${lines.join('\n')}\n`;
}

export function addTemplatesCommand(program: Command, io: CliIo, finish: Finish): void {
  const templates = program.command('templates').alias('template').description('job templates: list, show, create, delete (submit from one with submit --template)');

  addConnectionOptions(templates.command('list').alias('ls').description('the templates you may use (yours and shared ones)').option('--json', 'JSON, as the API answers'))
    .action(clientAction<ConnectionOptions & { json?: boolean }>(io, finish, async (context, options) => {
      const list = await listTemplates(context.client);
      if (options.json === true) {
        io.stdout.write(`${stringifyJson(list, 2)}\n`);
      } else if (list.length > 0) {
        io.stdout.write(renderTable(['NAME', 'OWNER', 'SHARED', 'PARAMETERS', 'DESCRIPTION'], list.map((template) => [
          template.name, template.owner, template.shared ? 'yes' : 'no', Object.keys(template.parameters).join(','), clip(template.description, 60),
        ])));
      }
      return EXIT.ok;
    }));

  addConnectionOptions(templates.command('show').description('a template: its parameters and the job it makes').argument('<name>', 'the template').option('--json', 'JSON, as the API answers'))
    .action(clientAction<ConnectionOptions & { json?: boolean }>(io, finish, async (context, options, [name]) => {
      const template = await getTemplate(context.client, name ?? '');
      io.stdout.write(options.json === true ? `${stringifyJson(template, 2)}\n` : templateText(template));
      return EXIT.ok;
    }));

  addConnectionOptions(templates.command('create')
    .description('create a template from a JSON file: {"description", "shared", "parameters": {name: {type, default | required...}}, "job": {"command", ...}}')
    .argument('<name>', 'its name')
    .requiredOption('-f, --file <file>', 'the definition (JSON; - reads stdin)')
    .option('-d, --description <text>', 'what it runs (instead of the file\'s)')
    .option('--shared', 'every user may use it')
    .option('--replace', 'replace the template of this name if there is one (yours, or any as a superuser)'))
    .action(clientAction<CreateOptions>(io, finish, async (context, options, [name]) => {
      const definition = {
        ...(await readDefinition(options.file, io.stdin)),
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.shared === true ? { shared: true } : {}),
      };
      const template = await saveTemplate(context.client, name ?? '', definition, options.replace === true);
      io.stdout.write(`${template.name} ${template.revision === 1 ? 'created' : `replaced (revision ${template.revision})`}\n`);
      return EXIT.ok;
    }));

  addConnectionOptions(templates.command('delete').alias('rm').description('delete a template (jobs made from it keep running)').argument('<name>', 'the template'))
    .action(clientAction<ConnectionOptions>(io, finish, async (context, _options, [name]) => {
      await deleteTemplate(context.client, name ?? '');
      io.stdout.write(`${name ?? ''} deleted\n`);
      return EXIT.ok;
    }));
}
