/** Path parameters shared by the v1 routes. */
import { AppError } from '../../../errors.js';
import { parseJobId, type JobId } from '../../../model/job-id.js';

/** The documentation of a `:jobid` path parameter. */
export const JOBID_PATH = { jobid: 'Job id: decimal, F58 with ƒ or f prefix, 0x hex, or dothex.' };

export function jobIdParam(raw: string | undefined): JobId {
  const text = raw ?? '';
  const id = parseJobId(text);
  if (id === null) {
    const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
    const message = `jobid: '${shown}' is not a job id (decimal, ƒ/f-prefixed F58, 0x hex or dothex)`;
    throw new AppError(400, 'VALIDATION_ERROR', message, [{ field: 'jobid', message: 'not a job id' }]).withBody({ Message: `Invalid job id '${shown}'.`, detail: message });
  }
  return id;
}
