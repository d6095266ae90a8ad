/**
 * A job's usage chart: cores used and resident memory over time (and GPUs busy where there
 * is a GPU reading), drawn with uPlot (loaded by its own script tag, served by jobgate). While
 * the job runs, the page asks for the samples it has not drawn yet, once per sampling interval.
 */
import type uPlotType from 'uplot';
import { required } from './lib/dom.js';

interface Metrics {
  state: string;
  interval: number;
  series: { t: number[]; cpu?: number[]; mem?: number[]; gpu?: (number | null)[] };
  summary: Record<string, number | null>;
}

type UPlotConstructor = typeof uPlotType;

const root = required('#job', HTMLElement);
const jobId = root.dataset.jobId ?? '';
const chartBox = required('#usage-chart', HTMLElement);
const status = required('#usage-status', HTMLElement);
const MIB = 1024 * 1024;
/** How often a running job is asked again when sampling is off or the interval is short. */
const MIN_POLL_MS = 1000;

const times: number[] = [];
const cores: number[] = [];
const memory: number[] = [];
const gpus: (number | null)[] = [];
let chart: uPlotType | null = null;
let hasGpu = false;

function uPlotGlobal(): UPlotConstructor | null {
  const candidate = (window as unknown as { uPlot?: UPlotConstructor }).uPlot;
  return typeof candidate === 'function' ? candidate : null;
}

function formatSummary(key: string, value: number | null): string {
  if (value === null) {
    return '—';
  }
  switch (key) {
    case 'cpu_efficiency':
      return `${(value * 100).toFixed(0)} %`;
    case 'peak_memory':
      return value >= 1024 * MIB ? `${(value / 1024 / MIB).toFixed(1)} GiB` : `${(value / MIB).toFixed(1)} MiB`;
    case 'measured_seconds':
      return `${value.toFixed(0)} s`;
    default:
      return value.toFixed(1);
  }
}

function showSummary(summary: Metrics['summary']): void {
  for (const element of document.querySelectorAll<HTMLElement>('#usage-summary [data-usage]')) {
    const key = element.dataset.usage ?? '';
    element.textContent = formatSummary(key, summary[key] ?? null);
  }
}

function makeChart(plot: UPlotConstructor): uPlotType {
  const series: uPlotType.Series[] = [
    {},
    { label: 'Cores used', scale: 'cores', stroke: '#2f6fdf', width: 2, value: (_u, value) => (value === null ? '—' : value.toFixed(2)) },
    { label: 'Memory (MiB)', scale: 'mem', stroke: '#d9822b', width: 2, value: (_u, value) => (value === null ? '—' : value.toFixed(1)) },
  ];
  const axes: uPlotType.Axis[] = [{}, { scale: 'cores', label: 'cores' }, { scale: 'mem', side: 1, label: 'MiB', grid: { show: false } }];
  if (hasGpu) {
    series.push({ label: 'GPUs busy', scale: 'cores', stroke: '#3a9c5a', width: 2 });
  }
  const data: uPlotType.AlignedData = hasGpu ? [times, cores, memory, gpus] : [times, cores, memory];
  return new plot({
    width: Math.max(320, chartBox.clientWidth),
    height: 220,
    series,
    axes,
    scales: { cores: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max))] } },
  }, data, chartBox);
}

function draw(): void {
  const plot = uPlotGlobal();
  if (plot === null) {
    status.textContent = 'The chart library did not load.';
    return;
  }
  if (times.length === 0) {
    status.textContent = 'No samples yet.';
    return;
  }
  status.textContent = `${times.length} samples`;
  chartBox.dataset.points = String(times.length);
  if (chart === null) {
    chart = makeChart(plot);
  } else {
    chart.setData(hasGpu ? [times, cores, memory, gpus] : [times, cores, memory]);
  }
}

async function fetchSince(since: number): Promise<Metrics | null> {
  const response = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/metrics?since=${since}`, { credentials: 'same-origin' });
  return response.ok ? ((await response.json()) as Metrics) : null;
}

function append(metrics: Metrics): void {
  const { t, cpu = [], mem = [], gpu = [] } = metrics.series;
  t.forEach((value, index) => {
    times.push(value);
    cores.push(cpu[index] ?? 0);
    memory.push((mem[index] ?? 0) / MIB);
    const busy = gpu[index] ?? null;
    gpus.push(busy);
    if (busy !== null && !hasGpu) {
      hasGpu = true;
      // A GPU series appears: build the chart again with it.
      chart?.destroy();
      chart = null;
    }
  });
}

async function refresh(): Promise<void> {
  const metrics = await fetchSince(times[times.length - 1] ?? 0).catch(() => null);
  if (metrics === null) {
    status.textContent = 'Usage could not be read.';
    window.setTimeout(() => void refresh(), MIN_POLL_MS * 5);
    return;
  }
  append(metrics);
  showSummary(metrics.summary);
  draw();
  if (metrics.state !== 'INACTIVE') {
    window.setTimeout(() => void refresh(), Math.max(MIN_POLL_MS, metrics.interval * 1000));
  } else if (metrics.interval === 0 && times.length === 0) {
    status.textContent = 'Usage is not sampled for this job (sampling off, or a backend that cannot measure).';
  }
}

window.addEventListener('resize', () => chart?.setSize({ width: Math.max(320, chartBox.clientWidth), height: 220 }));
void refresh();
