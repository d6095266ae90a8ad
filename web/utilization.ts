/**
 * The utilization page: `/v1/stats` drawn with uPlot (cores and GPUs allocated and used; jobs
 * pending, running and ended per minute) and the queue wait percentiles, refreshed every minute.
 */
import type uPlotType from 'uplot';
import { required } from './lib/dom.js';
import { formatDuration } from './lib/format.js';

interface Stats {
  capacity: { cores: number; gpus: number };
  buckets: Record<string, (number | null)[]>;
  wait_seconds: Record<string, number | null>;
}

const root = required('#utilization', HTMLElement);
const status = required('#utilization-status', HTMLElement);
const windowName = root.dataset.window === 'day' ? 'day' : 'hour';
const charts = new Map<string, uPlotType>();
const REFRESH_MS = 60_000;

function plotGlobal(): typeof uPlotType | null {
  const candidate = (window as unknown as { uPlot?: typeof uPlotType }).uPlot;
  return typeof candidate === 'function' ? candidate : null;
}

function draw(id: string, data: uPlotType.AlignedData, series: uPlotType.Series[]): void {
  const box = required(`#${id}`, HTMLElement);
  box.dataset.points = String(data[0]?.length ?? 0);
  const existing = charts.get(id);
  if (existing !== undefined) {
    existing.setData(data);
    return;
  }
  const plot = plotGlobal();
  if (plot === null) {
    status.textContent = 'The chart library did not load.';
    return;
  }
  charts.set(id, new plot({ width: Math.max(320, box.clientWidth), height: 220, series: [{}, ...series], scales: { y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max))] } } }, data, box));
}

function column(stats: Stats, name: string): (number | null)[] {
  return stats.buckets[name] ?? [];
}

async function refresh(): Promise<void> {
  const response = await fetch(`/v1/stats?window=${windowName}`, { credentials: 'same-origin' }).catch(() => null);
  if (response === null || !response.ok) {
    status.textContent = 'The statistics could not be read.';
    return;
  }
  const stats = (await response.json()) as Stats;
  const t = column(stats, 't').map((value) => value ?? 0);
  const capacity = t.map(() => stats.capacity.cores);
  draw('chart-cores', [t, capacity, column(stats, 'cores_allocated'), column(stats, 'cores_used'), column(stats, 'gpus_allocated')], [
    { label: 'Cores (capacity)', stroke: '#9aa0a8', dash: [4, 4] },
    { label: 'Cores allocated', stroke: '#2f6fdf', width: 2 },
    { label: 'Cores used', stroke: '#d9822b', width: 2 },
    { label: 'GPUs allocated', stroke: '#3a9c5a', width: 2 },
  ]);
  draw('chart-jobs', [t, column(stats, 'pending'), column(stats, 'running'), column(stats, 'ended_per_minute')], [
    { label: 'Pending', stroke: '#b3261e', width: 2 },
    { label: 'Running', stroke: '#2f6fdf', width: 2 },
    { label: 'Ended / min', stroke: '#3a9c5a', width: 2 },
  ]);
  for (const element of document.querySelectorAll<HTMLElement>('#wait-summary [data-wait]')) {
    const key = element.dataset.wait ?? '';
    const value = stats.wait_seconds[key] ?? null;
    element.textContent = value === null ? '—' : key === 'count' ? String(value) : value < 60 ? `${value.toFixed(1)} s` : formatDuration(value);
  }
  status.textContent = `Capacity: ${stats.capacity.cores} cores, ${stats.capacity.gpus} GPUs.`;
}

void refresh();
window.setInterval(() => void refresh(), REFRESH_MS);
