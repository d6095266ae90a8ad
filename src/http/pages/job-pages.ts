/**
 * The job table (`/jobs`, filled by the page's script from /v1/jobs/search), a job's page
 * (`/job/{id}`), cancelling (`/job/{id}/cancel`: GET only asks, POST cancels — a link or a
 * prefetch can never cancel a job) and the download of a job's whole output.
 */
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { AppError } from '../../errors.js';
import { JOB_RESULTS, JOB_STATES, type JobRecord } from '../../model/job.js';
import type { OutputView } from '../../output/layout.js';
import type { AppState } from '../state.js';
import { jobIdParam } from '../api/v1/params.js';
import { pageActor } from './page-auth.js';
import { visible } from './job-view.js';
import { showJobPage } from './job-page.js';
import type { PageDeps } from './page-deps.js';

const DOWNLOAD_VIEWS: Record<string, OutputView> = { all: 'all', stdout: 'stdout', stderr: 'stderr' };
const DOWNLOAD_BLOCK = 1024 * 1024;

export function jobPages(router: Router<AppState>, deps: PageDeps): void {
  const jobOf = (ctx: ParameterizedContext<AppState> & { params: Record<string, string> }): { job: JobRecord } | undefined => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return undefined;
    }
    return { job: deps.jobs.get(jobIdParam(ctx.params.jobid), actor) };
  };

  router.get('/jobs', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    deps.render(ctx, 'jobs.njk', { title: 'Jobs', nav: 'jobs', states: JOB_STATES, results: JOB_RESULTS, showOwner: actor.superuser });
  });

  router.get('/job/:jobid', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    showJobPage(deps, ctx, deps.jobs.get(jobIdParam(ctx.params.jobid), actor), actor);
  });

  router.get('/job/:jobid/cancel', async (ctx) => {
    const found = jobOf(ctx);
    if (found === undefined) {
      return;
    }
    const { job } = found;
    deps.render(ctx, 'job-cancel.njk', { title: `Cancel job ${job.id.toString()}`, nav: 'jobs', job: { id: job.id.toString(), name: visible(job.name), state: job.state, active: job.state !== 'INACTIVE' } });
  });

  // The CSRF middleware has checked the form's token (session) or refused a cross-site post.
  router.post('/job/:jobid/cancel', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    const id = jobIdParam(ctx.params.jobid);
    let notice = 'cancel-requested';
    try {
      await deps.jobs.cancel(id, actor, 'canceled from the web page');
    } catch (error: unknown) {
      if (!(error instanceof AppError) || error.status !== 409) {
        throw error;
      }
      notice = 'already-inactive';
    }
    ctx.status = 303;
    ctx.redirect(`/job/${id.toString()}?notice=${notice}`);
  });

  router.get('/job/:jobid/output.txt', async (ctx) => {
    const found = jobOf(ctx);
    if (found === undefined) {
      return;
    }
    const { job } = found;
    const stream = typeof ctx.query.stream === 'string' && Object.hasOwn(DOWNLOAD_VIEWS, ctx.query.stream) ? ctx.query.stream : 'all';
    const view = DOWNLOAD_VIEWS[stream] ?? 'all';
    const reader = deps.output.reader(job.id);
    // What exists now, read a block at a time (outputs of gigabytes are never held in memory).
    const end = reader.size(view);
    ctx.set('Content-Disposition', `attachment; filename="job-${job.id.toString()}-${stream}.txt"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.length = end;
    ctx.body = Readable.from((function* blocks() {
      let cursor = 0;
      while (cursor < end) {
        const result = reader.read(view, cursor, Math.min(DOWNLOAD_BLOCK, end - cursor));
        if (result.next <= cursor) {
          return;
        }
        cursor = result.next;
        yield Buffer.concat(result.chunks.map((chunk) => chunk.data));
      }
    })());
  });
}
