/**
 * `/jobs/submit`: the form (every submit option, environment variables as rows, the runtime
 * in human form) and its POST. It works without JavaScript: a refused request renders the
 * form again with what was typed and each error next to its field; an accepted one goes to
 * the job's page. `?from={id}` prefills the form from a job (resubmit).
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { FieldError } from '../../errors.js';
import type { Actor } from '../../model/job.js';
import { parseJobId } from '../../model/job-id.js';
import type { AppState } from '../state.js';
import { pageActor } from './page-auth.js';
import { submitFromForm } from './form-submit.js';
import type { PageDeps } from './page-deps.js';
import { emptyForm, errorsByField, formFromJob, readForm, toSubmitInput, type SubmitFormValues } from './submit-form.js';

export function submitPage(router: Router<AppState>, deps: PageDeps): void {
  const show = (ctx: ParameterizedContext<AppState>, values: SubmitFormValues, errors: readonly FieldError[], extra: Record<string, unknown> = {}): void => {
    deps.render(ctx, 'submit.njk', {
      title: 'Submit a job',
      nav: 'submit',
      form: values,
      errors: errorsByField(errors),
      hasErrors: errors.length > 0,
      maxNodes: deps.maxNodes(),
      ...extra,
    });
  };

  router.get('/jobs/submit', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const from = typeof ctx.query.from === 'string' ? parseJobId(ctx.query.from) : null;
    const job = from === null ? undefined : deps.jobs.find(from, actor);
    show(ctx, job === undefined ? emptyForm() : formFromJob(job), [], { resubmitOf: job?.id.toString() ?? null });
  });

  router.post('/jobs/submit', async (ctx) => {
    const actor: Actor | undefined = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const values = readForm((ctx.request as { body?: unknown }).body);
    const parsed = toSubmitInput(values);
    if ('errors' in parsed) {
      ctx.status = 400;
      show(ctx, values, parsed.errors);
      return;
    }
    await submitFromForm(ctx, () => deps.jobs.submit(parsed.input, actor), (errors) => show(ctx, values, errors));
  });
}
