/**
 * The forms of a job's page that change it: hold, release and priority (`/job/{id}/control`),
 * and tags and metadata (`/job/{id}/labels`). Plain POST forms with the session's CSRF token
 * (checked before they get here), so they work without JavaScript: a change goes back to the
 * page with a notice; a refused one renders the page again with the reason next to the form
 * and what was typed still there.
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import type { Actor } from '../../model/job.js';
import { URGENCY } from '../../model/job.js';
import { parseTagRef } from '../../domain/job-labels.js';
import { parseInteger } from '../../lib/parse.js';
import type { JobId } from '../../model/job-id.js';
import type { AppState } from '../state.js';
import { jobIdParam } from '../api/v1/params.js';
import { pageActor } from './page-auth.js';
import { formBody, formValue, type FormBody } from './form-fields.js';
import { showJobPage, type NoticeKey, type PageProblem } from './job-page.js';
import type { PageDeps } from './page-deps.js';

type Context = ParameterizedContext<AppState> & { params: Record<string, string> };

interface Change {
  /** Which form made it (its errors are shown there). */
  form: PageProblem['form'];
  run(): Promise<unknown>;
  notice: NoticeKey;
}

/** Tag words as typed: separated by spaces or commas, each `type:name` or `name`. */
function tagWords(text: string): string[] {
  return text.split(/[\s,]+/).filter((word) => word !== '');
}

function controlChange(deps: PageDeps, id: JobId, actor: Actor, fields: FormBody): Change {
  const control = deps.extended.control;
  switch (formValue(fields.action)) {
    case 'hold':
      return { form: 'control', notice: 'held', run: () => control.hold(id, actor, formValue(fields.reason).trim()) };
    case 'release':
      return { form: 'control', notice: 'released', run: () => control.release(id, actor) };
    default: {
      const urgency = parseInteger(formValue(fields.urgency)) ?? Number.NaN;
      return { form: 'control', notice: urgency === URGENCY.hold ? 'held' : 'priority-set', run: () => control.setPriority(id, actor, urgency) };
    }
  }
}

function labelChange(deps: PageDeps, id: JobId, actor: Actor, fields: FormBody): Change {
  const labels = deps.extended.labels;
  const key = formValue(fields.key).trim();
  switch (formValue(fields.action)) {
    case 'remove-tag':
      return { form: 'tags', notice: 'tag-removed', run: async () => labels.removeTags(id, actor, [parseTagRef(formValue(fields.tag))]) };
    case 'set-meta':
      return { form: 'metadata', notice: 'metadata-set', run: async () => labels.setMetadata(id, actor, { [key]: formValue(fields.value) }) };
    case 'unset-meta':
      return { form: 'metadata', notice: 'metadata-removed', run: async () => labels.setMetadata(id, actor, { [key]: null }) };
    default: {
      const words = tagWords(formValue(fields.tags));
      return {
        form: 'tags',
        notice: 'tags-added',
        run: async () => {
          if (words.length === 0) {
            throw new AppError(400, 'VALIDATION_ERROR', 'give one or more tags', [{ field: 'tags', message: 'give one or more tags: type:name or name' }]);
          }
          return labels.addTags(id, actor, words.map(parseTagRef));
        },
      };
    }
  }
}

/** Messages by the form's own field names (`tags[0].name` → tags, `metadata.run` → key). */
function errorsOf(change: Change, error: AppError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const details = error.details.length > 0 ? error.details : [{ field: '', message: error.message }];
  for (const detail of details) {
    const field = change.form === 'tags' ? 'tags' : change.form === 'metadata' ? 'key' : detail.field === 'urgency' ? 'urgency' : 'control';
    (errors[field] ??= []).push(detail.message);
  }
  return errors;
}

export function jobActionPages(router: Router<AppState>, deps: PageDeps): void {
  const handle = (build: (id: JobId, actor: Actor, fields: FormBody) => Change) => async (ctx: Context): Promise<void> => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const id = jobIdParam(ctx.params.jobid);
    // The job must be visible before anything is read from the form (a 404 otherwise).
    deps.jobs.get(id, actor);
    const fields = formBody((ctx.request as { body?: unknown }).body);
    const change = build(id, actor, fields);
    try {
      await change.run();
    } catch (error: unknown) {
      if (!(error instanceof AppError) || (error.status !== 400 && error.status !== 409)) {
        throw error;
      }
      ctx.status = error.status;
      const values = Object.fromEntries(['reason', 'urgency', 'tags', 'key', 'value'].map((name) => [name, formValue(fields[name])]));
      showJobPage(deps, ctx, deps.jobs.get(id, actor), actor, { form: change.form, errors: errorsOf(change, error), values });
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/job/${id.toString()}?notice=${change.notice}#${change.form === 'control' ? 'job-controls' : 'job-labels'}`);
  };

  router.post('/job/:jobid/control', handle((id, actor, fields) => controlChange(deps, id, actor, fields)));
  router.post('/job/:jobid/labels', handle((id, actor, fields) => labelChange(deps, id, actor, fields)));
}
