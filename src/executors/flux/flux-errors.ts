/**
 * Flux's refusals → ExecutorError kinds, by their words (the texts are stable across the
 * Python API and the commands; errno values differ between them):
 *
 *   unknown job id / unknown job / No such job / job N not found      → unknown (404)
 *   job is inactive                                                     → inactive (409)
 *   urgency cannot be changed once resources are allocated              → conflict (409)
 *   urgency value is out of range, invalid jobspecs                     → invalid (400)
 *   a lost connection to the broker                                     → unavailable (503)
 */
import { ExecutorError } from '../types.js';

const CONNECTION_LOST = /Broken pipe|Connection reset|EPIPE|ECONNRESET|Unable to connect|not reachable|broker socket|Function not implemented/i;

/** Strips the command prefixes (`flux-cancel: ERROR: ƒ38: `, `flux-job: 123: `) down to Flux's own words. */
export function fluxMessage(text: string): string {
  const line = text.trim().split('\n').filter((part) => part.trim() !== '').pop() ?? '';
  return line
    .replace(/^flux-[a-z-]+: (ERROR: )?/, '')
    .replace(/^(raise |kill )?[ƒf]?[0-9A-Za-z.x-]+: (?=(unknown job|job is inactive|urgency|No such job))/, '')
    .replace(/^\[Errno \d+\] /, '')
    .trim();
}

export function toExecutorError(message: string, fallback: 'invalid' | 'conflict' = 'invalid'): ExecutorError {
  const words = fluxMessage(message);
  if (CONNECTION_LOST.test(words)) {
    return new ExecutorError('unavailable', `the Flux instance is not reachable: ${words}`);
  }
  if (/unknown job|No such job|not found|No such file or directory/i.test(words)) {
    return new ExecutorError('unknown', words.startsWith('unknown') ? words : 'unknown job id');
  }
  if (/job is inactive/.test(words)) {
    return new ExecutorError('inactive', 'job is inactive');
  }
  if (/urgency cannot be changed once resources are allocated/.test(words)) {
    return new ExecutorError('conflict', 'urgency cannot be changed once resources are allocated');
  }
  if (/guests can only/.test(words)) {
    return new ExecutorError('conflict', words);
  }
  return new ExecutorError(fallback, words === '' ? 'Flux refused the request' : words);
}
