/**
 * An executor's refusals as the domain's errors: what the backend says about a request (an
 * invalid job, an inactive or unknown one, a backend away) keeps its meaning for callers.
 */
import { AppError, conflict, notFound, unavailable } from '../errors.js';
import { ExecutorError } from '../executors/types.js';
import { SubmitRefused } from './job-submission.js';

export async function callExecutor<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (error instanceof ExecutorError) {
      switch (error.kind) {
        case 'invalid':
          throw new SubmitRefused('backend-refused', [{ field: 'request', message: error.message }], error.message);
        case 'unavailable':
          throw unavailable(error.message);
        case 'inactive':
        case 'conflict':
          throw conflict(error.message);
        case 'unknown':
          throw notFound(error.message);
        case 'unsupported':
          throw new AppError(409, 'RESOURCE_CONFLICT', error.message);
      }
    }
    throw error;
  }
}
