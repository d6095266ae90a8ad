/** How the client names and summarises jobs: ids as flux prints them, one word for where a job is, the exit code it earned. */
import { parseJobId, toF58 } from '../../model/job-id.js';
import type { JobDetail, WireId } from '../../client/types.js';
import { CliExit, EXIT } from './context.js';

export function showId(id: WireId, ascii: boolean): string {
  return toF58(BigInt(id), ascii);
}

/** A job id as the user typed it (decimal, ƒ/f F58, hex, dothex). */
export function jobIdArgument(text: string): bigint {
  const id = parseJobId(text);
  if (id === null) {
    throw new CliExit(EXIT.usage, `'${text}' is not a job id (decimal, F58 like ƒ2Ex4ZnuR or f2Ex4ZnuR, 0x hex, or dothex)`);
  }
  return id;
}

/** The state while active, the result once inactive. */
export function stateWord(job: Pick<JobDetail, 'state' | 'result'>): string {
  return job.state === 'INACTIVE' && job.result !== '' ? job.result : job.state;
}

/**
 * What `submit --follow` and `output --follow` exit with: the job's return code, as a shell
 * reports a command's (128+N when signal N killed it); 1 when the job failed without one
 * (canceled before it ran, an exception).
 */
export function exitCodeOf(job: Pick<JobDetail, 'result' | 'returncode'>): number {
  if (job.result === 'COMPLETED') {
    return 0;
  }
  return typeof job.returncode === 'number' && job.returncode > 0 && job.returncode < 256 ? job.returncode : 1;
}
