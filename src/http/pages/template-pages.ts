/**
 * `/templates` (the templates this user may use) and `/templates/{name}` (what one runs, and a
 * form generated from its parameters that submits a job from it). The form is a plain POST with
 * the CSRF token: a refused submit renders the page again with each error next to its parameter
 * and what was typed; an accepted one goes to the job's page.
 */
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import type { Actor } from '../../model/job.js';
import type { JobTemplate } from '../../model/template.js';
import { parseTagRef } from '../../domain/job-labels.js';
import type { AppState } from '../state.js';
import { pageActor } from './page-auth.js';
import { submitFromForm } from './form-submit.js';
import { formBody, formValue } from './form-fields.js';
import { commandLine, utcText, visible } from './job-view.js';
import { parameterErrors, parameterFields, submittedParams, typedValues } from './template-form.js';
import type { PageDeps } from './page-deps.js';

interface Refusal {
  typed: Record<string, string>;
  tags: string;
  byParameter: Record<string, string[]>;
  tagErrors: string[];
  form: string[];
}

/** The job a template makes, field by field, as text (placeholders left as written). */
function jobRows(template: JobTemplate): { label: string; value: string }[] {
  const { command, ...rest } = template.definition.job;
  const rows = [{ label: 'command', value: visible(commandLine(command)) }];
  for (const [key, value] of Object.entries(rest)) {
    rows.push({ label: key, value: visible(typeof value === 'object' ? Object.entries(value).map(([name, inner]) => `${name}=${inner}`).join(', ') : String(value)) });
  }
  return rows;
}

export function templatePages(router: Router<AppState>, deps: PageDeps): void {
  const templates = deps.extended.templates;

  const show = (ctx: ParameterizedContext<AppState>, template: JobTemplate, refusal?: Refusal): void => {
    deps.render(ctx, 'template.njk', {
      title: `Template ${template.name}`,
      nav: 'templates',
      template: { name: template.name, owner: template.owner, shared: template.shared, description: template.description, revision: template.revision, updated: utcText(template.updatedAt), updatedIso: new Date(template.updatedAt * 1000).toISOString() },
      job: jobRows(template),
      fields: parameterFields(template.definition.parameters, refusal?.typed, refusal?.byParameter),
      tags: refusal?.tags ?? '',
      formErrors: refusal?.form ?? [],
      tagErrors: refusal?.tagErrors ?? [],
      paramErrors: Object.keys(refusal?.byParameter ?? {}).length > 0 || (refusal?.tagErrors.length ?? 0) > 0,
    });
  };

  router.get('/templates', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const list = templates.list(actor).map((template) => ({
      name: template.name,
      description: template.description,
      owner: template.owner,
      shared: template.shared,
      parameters: Object.keys(template.definition.parameters),
      updated: utcText(template.updatedAt),
      updatedIso: new Date(template.updatedAt * 1000).toISOString(),
    }));
    deps.render(ctx, 'templates.njk', { title: 'Templates', nav: 'templates', templates: list });
  });

  router.get('/templates/:name', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    show(ctx, templates.get(ctx.params.name ?? '', actor));
  });

  router.post('/templates/:name/submit', async (ctx) => {
    const actor: Actor | undefined = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const template = templates.get(ctx.params.name ?? '', actor);
    const fields = formBody((ctx.request as { body?: unknown }).body);
    const typed = typedValues(fields, template.definition.parameters);
    const tags = formValue(fields.tags);
    const request = { params: submittedParams(typed), tags: tags.split(/[\s,]+/).filter((word) => word !== '').map(parseTagRef) };
    await submitFromForm(ctx, async () => (await templates.submit(template.name, actor, request)).job, (errors) => show(ctx, template, { typed, tags, ...parameterErrors(errors) }));
  });
}
