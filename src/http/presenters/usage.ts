/**
 * What a job used, as clients read it: the summary (in a job's detail, the listing and the
 * metrics route) and a series in columns (one array per metric, as charts draw them).
 */
import { z } from 'zod';
import type { UsageMetric, UsageSample, UsageSummary } from '../../model/usage.js';
import type { UsageUpdate } from '../../domain/usage/usage-service.js';
import { component } from '../openapi/components.js';

export function presentUsageSummary(summary: UsageSummary | undefined): Record<string, number | null> {
  return {
    cpu_seconds: summary?.cpuSeconds ?? null,
    cpu_efficiency: summary?.cpuEfficiency ?? null,
    peak_memory: summary?.peakMemBytes ?? null,
    gpu_seconds: summary?.gpuSeconds ?? null,
    measured_seconds: summary?.measuredSeconds ?? null,
  };
}

export const usageSummarySchema = component('UsageSummary', z.object({
  cpu_seconds: z.number().nullable().meta({ description: 'CPU-seconds the job\'s processes used over the time measured.' }),
  cpu_efficiency: z.number().nullable().meta({ description: 'cpu_seconds ÷ (cores allocated × measured_seconds): 1 is every allocated core busy.' }),
  peak_memory: z.number().nullable().meta({ description: 'Highest resident memory seen, in bytes (summed over the job\'s processes).' }),
  gpu_seconds: z.number().nullable().meta({ description: 'GPUs busy integrated over time; null where there was no GPU reading.' }),
  measured_seconds: z.number().nullable().meta({ description: 'Seconds of the run the samples cover; null when nothing was measured (sampling off, or a backend that cannot measure).' }),
}).meta({ description: 'What the job used, measured while it ran (null: not measured).' }));

export interface SeriesColumns {
  t: number[];
  resolution: number[];
  cpu?: number[];
  mem?: number[];
  gpu?: (number | null)[];
  gpu_mem?: (number | null)[];
}

export function presentSeries(samples: readonly UsageSample[], metrics: readonly UsageMetric[]): SeriesColumns {
  const columns: SeriesColumns = { t: samples.map((sample) => sample.t), resolution: samples.map((sample) => sample.resolution) };
  if (metrics.includes('cpu')) {
    columns.cpu = samples.map((sample) => sample.cpu);
  }
  if (metrics.includes('mem')) {
    columns.mem = samples.map((sample) => sample.memBytes);
  }
  if (metrics.includes('gpu')) {
    columns.gpu = samples.map((sample) => sample.gpu);
    columns.gpu_mem = samples.map((sample) => sample.gpuMemBytes);
  }
  return columns;
}

export const usageSeriesSchema = component('UsageSeries', z.object({
  t: z.array(z.number()).meta({ description: 'End of each sample\'s interval (epoch seconds), oldest first.' }),
  resolution: z.array(z.number()).meta({ description: 'Seconds each sample stands for (older samples are merged into coarser ones).' }),
  cpu: z.array(z.number()).optional().meta({ description: 'Cores used (CPU-seconds per second).' }),
  mem: z.array(z.number()).optional().meta({ description: 'Resident memory in bytes (the highest, for merged samples).' }),
  gpu: z.array(z.number().nullable()).optional().meta({ description: 'GPUs busy (sum of utilization over the GPUs the job holds); null where there is no GPU reading.' }),
  gpu_mem: z.array(z.number().nullable()).optional().meta({ description: 'GPU memory the job\'s processes hold, in bytes.' }),
}).meta({ description: 'A job\'s samples in columns, one array per metric.' }));

/** A `metrics` event of a job's stream: one new sample and the summary so far. */
export function metricsEventData(update: UsageUpdate): Record<string, unknown> {
  const { sample } = update;
  return { t: sample.t, resolution: sample.resolution, cpu: sample.cpu, mem: sample.memBytes, gpu: sample.gpu, gpu_mem: sample.gpuMemBytes, summary: presentUsageSummary(update.summary) };
}
