/** `/nodes`: what the allocation has (nodes, cores, GPUs, busy and free) and the jobs on each node. */
import type Router from '@koa/router';
import type { AppState } from '../state.js';
import { pageActor } from './page-auth.js';
import type { PageDeps } from './page-deps.js';

export function nodesPage(router: Router<AppState>, deps: PageDeps): void {
  router.get('/nodes', async (ctx) => {
    const actor = pageActor(ctx);
    if (actor === undefined) {
      return;
    }
    // Only the jobs this caller may see are listed on each node.
    const nodes = await deps.jobs.nodes(actor);
    const rows = nodes.map((node) => ({
      name: node.name,
      state: node.state,
      cores: node.cores,
      coresBusy: node.coresBusy,
      coresFree: Math.max(0, node.cores - node.coresBusy),
      gpus: node.gpus,
      gpusBusy: node.gpusBusy,
      gpusFree: Math.max(0, node.gpus - node.gpusBusy),
      jobs: node.jobs.map((id) => ({ id: id.toString(), name: deps.jobs.find(id, actor)?.name ?? '' })),
    }));
    const sum = (pick: (row: (typeof rows)[number]) => number): number => rows.reduce((total, row) => total + pick(row), 0);
    deps.render(ctx, 'nodes.njk', {
      title: 'Nodes',
      nav: 'nodes',
      nodes: rows,
      totals: { nodes: rows.length, cores: sum((row) => row.cores), coresBusy: sum((row) => row.coresBusy), gpus: sum((row) => row.gpus), gpusBusy: sum((row) => row.gpusBusy) },
      executor: deps.executor,
    });
  });
}
