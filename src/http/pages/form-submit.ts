/** What a page's submit form does with its request: a job goes to its page; a refusal comes back to the form. */
import type { ParameterizedContext } from 'koa';
import { AppError, type FieldError } from '../../errors.js';
import type { JobRecord } from '../../model/job.js';
import type { AppState } from '../state.js';

/**
 * Runs `submit`; an accepted job sends the browser to its page (303), a refused request (400)
 * renders the form again through `refused` with the problems (`_form` for one without a field).
 */
export async function submitFromForm(ctx: ParameterizedContext<AppState>, submit: () => Promise<JobRecord>, refused: (errors: FieldError[]) => void): Promise<void> {
  let job: JobRecord;
  try {
    job = await submit();
  } catch (error: unknown) {
    if (!(error instanceof AppError) || error.status !== 400) {
      throw error;
    }
    ctx.status = 400;
    refused(error.details.length > 0 ? error.details : [{ field: '_form', message: error.message }]);
    return;
  }
  ctx.status = 303;
  ctx.redirect(`/job/${job.id.toString()}?notice=submitted`);
}
