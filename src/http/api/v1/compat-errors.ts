/**
 * flux-restful-api's bodies for the domain's refusals, on the routes that declare
 * `errors: 'compat'`: its clients (and their tests) read `Message` and look for substrings
 * of it, so these texts are part of the contract.
 */
import type { AppError } from '../../../errors.js';
import { SubmitRefused } from '../../../domain/job-submission.js';

/** flux-restful-api's answer to a submit without a command (its exact text). */
const MISSING_COMMAND = "A 'command' is minimally required.";

function submitRefusal(error: SubmitRefused): unknown {
  switch (error.problem) {
    case 'missing-command':
      return { Message: MISSING_COMMAND };
    case 'invalid':
      // `errors` names each field too (jobgate's addition; `Errors` is the original's list).
      return { Message: 'Invalid submit request', Errors: error.details.map((detail) => detail.message), errors: error.details };
    case 'backend-refused':
      return { Message: 'Invalid submit request', Errors: [error.message] };
  }
}

/** The error with flux-restful-api's body where it had one (a body chosen by the route is kept). */
export function compatibleError(error: AppError): AppError {
  if (error.body === undefined && error instanceof SubmitRefused) {
    return error.withBody(submitRefusal(error));
  }
  return error;
}
