/**
 * The allocation over a window, from what jobgate already stores: cores and GPUs allocated,
 * jobs pending and running (time-weighted averages per bucket), jobs ended per minute, and the
 * queue wait (submit → run) of the jobs that started in the window as percentiles. Pure.
 */
import type { JobSpan } from '../../db/stats-repository.js';

export interface AllocationBuckets {
  /** Start of each bucket (epoch seconds). */
  t: number[];
  cores_allocated: number[];
  gpus_allocated: number[];
  pending: number[];
  running: number[];
  ended_per_minute: number[];
}

export interface WaitPercentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** The part of [start, end) inside [from, to), in seconds. */
function overlap(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}

export function allocationBuckets(spans: readonly JobSpan[], from: number, to: number, step: number): AllocationBuckets {
  const count = Math.max(1, Math.ceil((to - from) / step));
  const zeros = (): number[] => Array.from({ length: count }, () => 0);
  const buckets: AllocationBuckets = { t: Array.from({ length: count }, (_, index) => from + index * step), cores_allocated: zeros(), gpus_allocated: zeros(), pending: zeros(), running: zeros(), ended_per_minute: zeros() };
  const spread = (start: number, end: number, weight: number, into: number[]): void => {
    const first = Math.max(0, Math.floor((start - from) / step));
    const last = Math.min(count - 1, Math.floor((Math.min(end, to) - from) / step));
    for (let index = first; index <= last; index += 1) {
      const bucketStart = from + index * step;
      into[index] = (into[index] ?? 0) + (weight * overlap(start, end, bucketStart, bucketStart + step)) / step;
    }
  };
  for (const span of spans) {
    const pendingEnd = span.t_run ?? span.t_inactive ?? to;
    spread(span.t_submit, pendingEnd, 1, buckets.pending);
    if (span.t_run !== null) {
      const runEnd = span.t_cleanup ?? span.t_inactive ?? to;
      spread(span.t_run, runEnd, 1, buckets.running);
      spread(span.t_run, runEnd, span.ncores, buckets.cores_allocated);
      spread(span.t_run, runEnd, span.ngpus, buckets.gpus_allocated);
    }
    if (span.t_inactive !== null && span.t_inactive >= from && span.t_inactive < to) {
      const index = Math.floor((span.t_inactive - from) / step);
      buckets.ended_per_minute[index] = (buckets.ended_per_minute[index] ?? 0) + 60 / step;
    }
  }
  return buckets;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

export function waitPercentiles(spans: readonly JobSpan[], from: number, to: number): WaitPercentiles {
  const waits = spans.flatMap((span) => (span.t_run !== null && span.t_run >= from && span.t_run < to ? [span.t_run - span.t_submit] : [])).sort((a, b) => a - b);
  return { count: waits.length, p50: percentile(waits, 0.5), p90: percentile(waits, 0.9), p99: percentile(waits, 0.99) };
}

export const STATS_WINDOWS = { hour: { seconds: 3600, step: 60 }, day: { seconds: 86400, step: 900 } } as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;
