/**
 * Turns a running job's successive readings into samples (cores used between two readings)
 * and keeps its summary: CPU-seconds, peak memory, GPU-seconds, and CPU efficiency over the
 * time measured. Pure: the usage service feeds it readings and stores what it returns.
 */
import type { JobId } from '../../model/job-id.js';
import type { UsageReading, UsageSample, UsageSummary } from '../../model/usage.js';

export class UsageAccumulator {
  private lastT: number;
  /** Null after a restart: the first reading is only a baseline (what ran meanwhile is unknown). */
  private lastCpu: number | null;
  private cpuSeconds: number;
  private peak: number | null;
  private gpuSeconds: number | null;
  private measured: number;

  /**
   * `tRun` is when the job started: the first reading's CPU time is all the job's processes
   * used since then, so it counts from there. `resumed` carries a summary stored before a
   * restart.
   */
  constructor(
    readonly id: JobId,
    readonly ncores: number,
    tRun: number,
    resumed: UsageSummary | null = null,
  ) {
    this.lastT = tRun;
    this.lastCpu = resumed === null ? 0 : null;
    this.cpuSeconds = resumed?.cpuSeconds ?? 0;
    this.peak = resumed?.peakMemBytes ?? null;
    this.gpuSeconds = resumed?.gpuSeconds ?? null;
    this.measured = resumed?.measuredSeconds ?? 0;
  }

  /** The sample a reading makes, or null when it only sets a baseline (or goes back in time). */
  add(reading: UsageReading): UsageSample | null {
    const dt = reading.t - this.lastT;
    const previous = this.lastCpu;
    this.peak = Math.max(this.peak ?? 0, reading.rssBytes, reading.peakRssBytes ?? 0);
    if (dt <= 0) {
      return null;
    }
    this.lastT = reading.t;
    this.lastCpu = reading.cpuSeconds;
    if (previous === null) {
      return null;
    }
    // A process that ends takes its CPU time with it unless its parent in the job reaps it:
    // the sum may shrink, which means "nothing measured", never negative use.
    const used = Math.max(0, reading.cpuSeconds - previous);
    this.cpuSeconds += used;
    this.measured += dt;
    let gpu: number | null = null;
    if (reading.gpu !== null) {
      gpu = reading.gpu.busy;
      this.gpuSeconds = (this.gpuSeconds ?? 0) + gpu * dt;
    }
    return { t: reading.t, resolution: dt, cpu: used / dt, memBytes: reading.rssBytes, gpu, gpuMemBytes: reading.gpu?.memoryBytes ?? null };
  }

  get summary(): UsageSummary {
    const measured = this.measured > 0 ? this.measured : null;
    return {
      cpuSeconds: measured === null ? null : this.cpuSeconds,
      cpuEfficiency: measured === null ? null : this.cpuSeconds / (Math.max(1, this.ncores) * measured),
      peakMemBytes: this.peak,
      gpuSeconds: this.gpuSeconds,
      measuredSeconds: measured,
    };
  }
}

/** How a job's series thins out with age: rows older than `age` seconds merge into buckets of `resolution`. */
export const DOWNSAMPLING: readonly { age: number; resolution: number }[] = [
  { age: 10 * 60, resolution: 60 },
  { age: 6 * 3600, resolution: 600 },
  { age: 2 * 86400, resolution: 3600 },
];
