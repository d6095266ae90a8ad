/**
 * What a job actually used, as measured while it ran: the readings executors take, the samples
 * the store keeps, and the summary a job carries once it has run.
 */
import type { JobId } from './job-id.js';

/** Where a reading came from (the README says what each one covers). */
export type UsageSource = 'proc' | 'cgroup' | 'sstat' | 'flux-local';

/** GPU use of one job at one moment; absent (null) where there are no GPUs. */
export interface GpuReading {
  /** GPUs busy: the sum over the GPUs the job's processes use of their utilization (0..1 each). */
  busy: number;
  /** Memory the job's processes hold on their GPUs, in bytes. */
  memoryBytes: number;
}

/** One measurement of one running job, as an executor takes it. */
export interface UsageReading {
  id: JobId;
  /** Epoch seconds. */
  t: number;
  /**
   * CPU-seconds the job's live processes have used so far (their own and their reaped
   * children's): the domain turns two readings into cores used.
   */
  cpuSeconds: number;
  /** Resident memory summed over the job's processes, in bytes. */
  rssBytes: number;
  /** The highest resident memory the backend saw for the job, when it keeps one (cgroup, sstat). */
  peakRssBytes: number | null;
  gpu: GpuReading | null;
  /** How many processes were measured. */
  processes: number;
  source: UsageSource;
}

/** One stored point of a job's series; `resolution` is the seconds it stands for once downsampled. */
export interface UsageSample {
  t: number;
  resolution: number;
  /** Cores used (CPU-seconds per second) over the interval ending at t. */
  cpu: number;
  memBytes: number;
  gpu: number | null;
  gpuMemBytes: number | null;
}

/** What a job used, summed up; every figure null until something was measured. */
export interface UsageSummary {
  cpuSeconds: number | null;
  /** CPU-seconds used ÷ (cores allocated × seconds measured). */
  cpuEfficiency: number | null;
  peakMemBytes: number | null;
  /** Integral of GPUs busy over time; null where the job had no GPU reading. */
  gpuSeconds: number | null;
  /** Seconds of the job's run the readings cover. */
  measuredSeconds: number | null;
}

export const USAGE_METRICS = ['cpu', 'mem', 'gpu'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

export const EMPTY_USAGE: UsageSummary = { cpuSeconds: null, cpuEfficiency: null, peakMemBytes: null, gpuSeconds: null, measuredSeconds: null };
