/**
 * A job's page as one model: its attributes, environment and events, output (filled by the
 * page's script), and what manages it — scheduling controls, tags and metadata — with the
 * errors of a refused change next to the form that made it.
 */
import type { ParameterizedContext } from 'koa';
import type { Actor, JobRecord } from '../../model/job.js';
import type { AppState } from '../state.js';
import { environmentOf, eventRows, jobAttributes, visible } from './job-view.js';
import { controlView, metadataRows, tagViews, urgencyChoices } from './job-manage-view.js';
import type { PageDeps } from './page-deps.js';
import { usageRows } from './usage-view.js';

/** Banners a redirect may ask for: fixed texts chosen by key, so a URL can never inject one. */
const NOTICES: Record<string, { text: string; kind: 'info' | 'warn' }> = {
  submitted: { text: 'Job submitted.', kind: 'info' },
  'cancel-requested': { text: 'Cancel requested. The job stops shortly.', kind: 'info' },
  'already-inactive': { text: 'The job had already ended; nothing to cancel.', kind: 'warn' },
  held: { text: 'Job held: it stays queued until released.', kind: 'info' },
  released: { text: 'Job released.', kind: 'info' },
  'priority-set': { text: 'Priority set.', kind: 'info' },
  'tags-added': { text: 'Tags added.', kind: 'info' },
  'tag-removed': { text: 'Tag removed.', kind: 'info' },
  'metadata-set': { text: 'Metadata set.', kind: 'info' },
  'metadata-removed': { text: 'Metadata key removed.', kind: 'info' },
};

export type NoticeKey = keyof typeof NOTICES;

export function noticeOf(value: unknown): { text: string; kind: string } | null {
  return typeof value === 'string' && Object.hasOwn(NOTICES, value) ? (NOTICES[value] ?? null) : null;
}

/** A refused change: which form, its messages by field, and what was typed (shown again). */
export interface PageProblem {
  form: 'control' | 'tags' | 'metadata';
  errors: Record<string, string[]>;
  values: Record<string, string>;
}

export function showJobPage(deps: PageDeps, ctx: ParameterizedContext<AppState>, job: JobRecord, actor: Actor, problem?: PageProblem): void {
  const labels = deps.extended.labels.labelsFor([job.id]).get(job.id) ?? { tags: [], metadata: {}, hold: null };
  deps.render(ctx, 'job.njk', {
    title: `Job ${job.id.toString()}`,
    nav: 'jobs',
    job: { id: job.id.toString(), name: visible(job.name), state: job.state, result: job.state === 'INACTIVE' ? (job.result ?? '') : '', active: job.state !== 'INACTIVE' },
    groups: jobAttributes(job, deps.now()),
    usage: usageRows(job.usage),
    environment: environmentOf(job),
    events: eventRows(deps.jobs.events(job.id, actor)),
    notice: problem === undefined ? noticeOf(ctx.query.notice) : null,
    control: controlView(job, labels),
    urgencies: urgencyChoices(job.urgency),
    tags: tagViews(labels),
    metadata: metadataRows(labels),
    problem: problem ?? null,
  });
}
