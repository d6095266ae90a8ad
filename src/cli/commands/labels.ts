/**
 * `jobgate tag <job> add|rm type:name…` and `jobgate meta <job> set key=value… | unset key…`:
 * change a job's tags and metadata, then show what it carries (alone, they only show it).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { addTags, jobLabels, removeTags, setMetadata } from '../../client/labels.js';
import type { JobLabels } from '../../client/types.js';
import { stringifyJson } from '../../lib/json.js';
import { addConnectionOptions, CliExit, EXIT, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';
import { jobIdArgument } from './job-words.js';
import { tagWord } from './jobs.js';
import { clientAction, keyValues, type Finish } from './run.js';

type LabelOptions = ConnectionOptions & { json?: boolean };

function choice(words: readonly string[]) {
  return (text: string): string => {
    if (!words.includes(text)) {
      throw new InvalidArgumentError(`expected ${words.join(' or ')}`);
    }
    return text;
  };
}

function show(context: ClientContext, labels: JobLabels, what: 'tags' | 'metadata', json: boolean): number {
  if (json) {
    context.io.stdout.write(`${stringifyJson(labels, 2)}\n`);
  } else if (what === 'tags') {
    context.io.stdout.write(labels.tags.map((tag) => `${tagWord(tag)}\n`).join(''));
  } else {
    context.io.stdout.write(Object.entries(labels.metadata).map(([key, value]) => `${key}=${value}\n`).join(''));
  }
  return EXIT.ok;
}

/** `key=value` pairs to set, or keys to unset (null). */
function metadataChange(action: string, items: readonly string[]): Record<string, string | null> {
  return action === 'unset' ? Object.fromEntries(items.map((key) => [key, null])) : keyValues('meta set', items);
}

interface LabelCommand {
  name: 'tag' | 'meta';
  description: string;
  /** The two actions (add/rm, set/unset) and what the items are. */
  actions: [string, string];
  items: [string, string];
  shows: 'tags' | 'metadata';
  change(context: ClientContext, id: bigint, action: string, items: string[]): Promise<JobLabels>;
}

const COMMANDS: LabelCommand[] = [
  {
    name: 'tag',
    description: "add or remove a job's tags (type:name, or name for the default type), then show them",
    actions: ['add', 'rm'],
    items: ['[tags...]', 'type:name or name'],
    shows: 'tags',
    change: (context, id, action, tags) => (action === 'add' ? addTags(context.client, id, tags) : removeTags(context.client, id, tags)),
  },
  {
    name: 'meta',
    description: "set or unset a job's metadata (key=value), then show it",
    actions: ['set', 'unset'],
    items: ['[items...]', 'key=value to set, key to unset'],
    shows: 'metadata',
    change: (context, id, action, items) => setMetadata(context.client, id, metadataChange(action, items)),
  },
];

export function addLabelCommands(program: Command, io: CliIo, finish: Finish): void {
  for (const spec of COMMANDS) {
    addConnectionOptions(program
      .command(spec.name)
      .description(spec.description)
      .argument('<jobid>', 'the job')
      .argument('[action]', `${spec.actions.join(' or ')} (alone: show the ${spec.shows})`, choice(spec.actions))
      .argument(...spec.items)
      .option('--json', 'JSON: the job\'s labels as the API answers')).action(clientAction<LabelOptions>(io, finish, async (context, options, [text, action, ...items]) => {
      const id = jobIdArgument(text ?? '');
      if (action !== undefined && items.length === 0) {
        throw new CliExit(EXIT.usage, `${spec.name} ${action}: which ${spec.shows === 'tags' ? 'tags' : 'keys'}?`);
      }
      const labels = action === undefined ? await jobLabels(context.client, id) : await spec.change(context, id, action, items);
      return show(context, labels, spec.shows, options.json === true);
    }));
  }
}
