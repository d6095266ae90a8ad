/** `/utilization`: the allocation over the last hour or day, drawn from `/v1/stats` by its script. */
import type Router from '@koa/router';
import type { AppState } from '../state.js';
import { pageActor } from './page-auth.js';
import type { PageDeps } from './page-deps.js';

export function utilizationPage(router: Router<AppState>, deps: PageDeps): void {
  router.get('/utilization', async (ctx) => {
    if (pageActor(ctx) === undefined) {
      return;
    }
    const window = ctx.query.window === 'day' ? 'day' : 'hour';
    deps.render(ctx, 'utilization.njk', { title: 'Utilization', nav: 'utilization', window, executor: deps.executor });
  });
}
