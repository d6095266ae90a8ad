/**
 * The job table's own draws (the queries web/jobs-table.ts sends: every column named, one
 * sort, the state/result/owner/tags/held filters as column searches; every row with its
 * labels) against a store of 100,000 jobs, timed by the server (Server-Timing). Target: each
 * draw under 100 ms server-side.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, percentile, request, serverTiming, startJobgate } from './lib.js';
import type { Figure } from './lib.js';
import { seedJobs } from './seed.js';

/** The table's columns in order, as the page names them (`select` sends an empty data name), then `held` (a filter without a column). */
const COLUMNS = ['select', 'id', 'name', 'tags', 'owner', 'state', 'result', 'returncode', 't_submit', 'runtime', 'ntasks', 'held'];

interface Draw {
  search?: string;
  state?: string;
  result?: string;
  owner?: string;
  tags?: string;
  held?: 'true' | 'false';
  sort: string;
  dir: 'asc' | 'desc';
  start?: number;
  length?: number;
}

/** What the page sends for a draw (same parameters, same order as web/table/rows.ts searchQuery). */
export function tableDrawQuery(draw: Draw, counter = 1): string {
  const params = new URLSearchParams();
  params.set('draw', String(counter));
  params.set('start', String(draw.start ?? 0));
  params.set('length', String(draw.length ?? 25));
  params.set('search[value]', draw.search ?? '');
  const filters: Record<string, string | undefined> = { state: draw.state, result: draw.result, owner: draw.owner, tags: draw.tags, held: draw.held };
  COLUMNS.forEach((name, index) => {
    params.set(`columns[${index}][data]`, name === 'select' ? '' : name);
    const filter = filters[name];
    if (filter !== undefined && filter !== '') {
      params.set(`columns[${index}][search][value]`, filter);
    }
  });
  params.set('order[0][column]', String(COLUMNS.indexOf(draw.sort)));
  params.set('order[0][dir]', draw.dir);
  return params.toString();
}

const DRAWS: [string, Draw][] = [
  ['default view (newest first, 25 rows)', { sort: 't_submit', dir: 'desc' }],
  ['default view, page 2 000 of 4 000', { sort: 't_submit', dir: 'desc', start: 50_000 }],
  ['last page', { sort: 't_submit', dir: 'desc', start: 99_975 }],
  ['sort by id asc', { sort: 'id', dir: 'asc' }],
  ['sort by name asc', { sort: 'name', dir: 'asc' }],
  ['sort by owner desc', { sort: 'owner', dir: 'desc' }],
  ['sort by state asc', { sort: 'state', dir: 'asc' }],
  ['sort by result asc', { sort: 'result', dir: 'asc' }],
  ['sort by return code desc', { sort: 'returncode', dir: 'desc' }],
  ['sort by runtime desc', { sort: 'runtime', dir: 'desc' }],
  ['sort by tasks desc', { sort: 'ntasks', dir: 'desc' }],
  ['state RUN filter', { sort: 't_submit', dir: 'desc', state: 'RUN' }],
  ['result FAILED filter, sort runtime desc', { sort: 'runtime', dir: 'desc', result: 'FAILED' }],
  ['owner alice filter, 100 rows', { sort: 't_submit', dir: 'desc', owner: 'alice', length: 100 }],
  ['search "gromacs"', { sort: 't_submit', dir: 'desc', search: 'gromacs' }],
  ['search "gromacs", sort name asc, page 20', { sort: 'name', dir: 'asc', search: 'gromacs', start: 475 }],
  ['search "ab" (short), sort runtime desc', { sort: 'runtime', dir: 'desc', search: 'ab' }],
  ['search an id prefix "12"', { sort: 't_submit', dir: 'desc', search: '12' }],
  ['tag filter (no job carries it)', { sort: 't_submit', dir: 'desc', tags: 'project:none' }],
  ['held filter: not held', { sort: 't_submit', dir: 'desc', held: 'false' }],
];

/** CPU time (user + system) a process has used, in ms (from /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * On a shared machine wall time includes waiting for a core; with the server's pid the CPU
 * time per draw is reported too (what a draw costs on an idle core).
 */
export async function benchTableDraws(url: string, pid?: number, rounds = 40): Promise<Figure[]> {
  const figures: Figure[] = [];
  const all: number[] = [];
  let worst = { name: '', ms: 0 };
  for (const [name, draw] of DRAWS) {
    const query = tableDrawQuery(draw);
    const times: number[] = [];
    let matches = 0;
    let cpuStart = 0;
    for (let round = 0; round < rounds + 3; round += 1) {
      if (round === 3 && pid !== undefined) cpuStart = cpuMs(pid);
      const response = await request(`${url}/v1/jobs/search?${query}`);
      if (response.status !== 200) throw new Error(`table draw "${name}": ${response.status} ${response.body}`);
      if (round >= 3) times.push(serverTiming(response.headers));
      matches = (JSON.parse(response.body) as { recordsFiltered: number }).recordsFiltered;
    }
    const cpu = pid === undefined ? '' : `, CPU ${fmt((cpuMs(pid) - cpuStart) / rounds, 1)} ms/draw`;
    all.push(...times);
    const p99 = percentile(times, 99);
    if (p99 > worst.ms) worst = { name, ms: p99 };
    figures.push({ name: `table draw: ${name}`, value: `server p50 ${fmt(percentile(times, 50), 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(Math.max(...times), 1)} ms${cpu} (${matches} matches)` });
  }
  figures.push({ name: 'table draws, 100,000 jobs: server p50 / p99 / max', value: `${fmt(percentile(all, 50), 1)} / ${fmt(percentile(all, 99), 1)} / ${fmt(Math.max(...all), 1)} ms (slowest: ${worst.name})`, target: 'each draw < 100 ms' });
  return figures;
}

/** `npm run bench -- table`: only the table draws, on a freshly seeded store. */
export async function benchTable(log: (line: string) => void): Promise<Figure[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-bench-table-'));
  try {
    seedJobs(scratch, 100_000);
    log('seeded 100,000 jobs');
    const server = await startJobgate(scratch);
    try {
      return await benchTableDraws(server.url, server.pid);
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
