/**
 * Plumbing between commander and the client commands: options and arguments in, an exit code
 * out, every error turned into one line on stderr (`jobgate: ...`) and its exit code.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { CliExit, clientContext, EXIT, explain, type CliIo, type ClientContext, type ConnectionOptions } from './context.js';

export type Finish = (code: number) => void;

export type ClientWork<O> = (context: ClientContext, options: O, args: string[]) => Promise<number>;

/** A commander action that builds the client context and runs `work` with it. */
export function clientAction<O extends ConnectionOptions>(io: CliIo, finish: Finish, work: ClientWork<O>) {
  return async (...received: unknown[]): Promise<void> => {
    // Commander calls actions with (...arguments, options, command).
    const command = received[received.length - 1] as Command;
    const options = command.opts<O>();
    const args = received.slice(0, -2).flatMap((value) => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]));
    let context: ClientContext | undefined;
    try {
      context = clientContext(options, io);
      finish(await work(context, options, args));
    } catch (error: unknown) {
      context?.progress.clear();
      const { code, message } = explain(error, context?.url ?? '', context?.client.currentToken !== undefined);
      if (message !== '') {
        io.stderr.write(`jobgate: ${message}\n`);
      }
      finish(code);
    }
  };
}

/** Option parsers: commander reports their errors as usage errors, naming the option. */
export function wholeNumber(min: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    }
    return Number(text);
  };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `key=value` items as an object (a value may hold '='). A key alone stands for `bare` where
 * that means something (`--meta run`: the key is set); elsewhere it is a usage error.
 */
export function keyValues(option: string, items: readonly string[]): Record<string, string>;
export function keyValues(option: string, items: readonly string[], bare: null): Record<string, string | null>;
export function keyValues(option: string, items: readonly string[], bare?: null): Record<string, string | null> {
  return Object.fromEntries(items.map((item) => {
    const eq = item.indexOf('=');
    if (eq < 0 && bare === null) {
      return [item, bare];
    }
    if (eq <= 0) {
      throw new CliExit(EXIT.usage, `${option} ${item}: expected key=value`);
    }
    return [item.slice(0, eq), item.slice(eq + 1)];
  }));
}
