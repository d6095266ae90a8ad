/** What the double's `flux` subcommands share: exits with the recorded words, output, options, ids. */
import fs from 'node:fs';
import { f58Of, readJobId } from './ids.js';
import { FluxClient, socketPath } from './client.js';

export class Exit extends Error {
  constructor(
    readonly code: number,
    readonly stderr = '',
  ) {
    super(stderr);
  }
}

export const out = (text: string): void => {
  fs.writeSync(1, text);
};
export const err = (text: string): void => {
  fs.writeSync(2, text);
};

export const ascii = process.env.FLUX_F58_FORCE_ASCII === '1';
export const f58 = (id: bigint): string => f58Of(id, ascii);

export async function connect(command: string): Promise<FluxClient> {
  try {
    return await FluxClient.connect(socketPath(process.env));
  } catch (error: unknown) {
    throw new Exit(1, `flux-${command}: ERROR: Unable to connect to Flux: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

export interface Parsed {
  flags: Map<string, string | true>;
  args: string[];
}

/** Minimal option parsing: `--name=value`, `--name value` for those in `valued`, `-x value`, `-xvalue`. */
export function parse(argv: string[], valued: string[]): Parsed {
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

export function flag(parsed: Parsed, ...names: string[]): string | true | undefined {
  for (const name of names) {
    const value = parsed.flags.get(name);
    if (value !== undefined) {
      return value;
    }
  }
  return undefined;
}

export function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function jobId(text: string | undefined): bigint {
  const id = readJobId(text ?? '');
  if (id === null) {
    throw new Exit(1, `flux-job: error parsing jobid: "${text ?? ''}"\n`);
  }
  return id;
}

