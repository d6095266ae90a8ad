/**
 * Splits a command string into words the way a POSIX shell splits them (quotes and
 * backslashes, no expansion), matching Python's `shlex.split` used by flux-restful-api so that
 * the same command string gives the same argv here. Nothing is ever run through a shell.
 */
import { split } from 'shlex';

export function splitCommand(command: string): { words: string[] } | { error: string } {
  try {
    return { words: split(command) };
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: `cannot split into words: ${reason}` };
  }
}
