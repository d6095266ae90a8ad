/**
 * Jobs' usage series and summaries. A sampling pass writes all its rows in one transaction;
 * downsampling merges a job's older rows into coarser buckets in SQL-free arithmetic here, so
 * the series of a job that runs for weeks stays a few thousand rows.
 */
import { Repository } from './repository.js';
import type { JobId } from '../model/job-id.js';
import type { UsageSample, UsageSummary } from '../model/usage.js';
import { usageFromRow, type Row } from './job-rows.js';

export interface SampleRow {
  id: JobId;
  sample: UsageSample;
}

interface StoredRow {
  job_id: bigint;
  t: number;
  resolution: number;
  cpu: number;
  mem: number;
  gpu: number | null;
  gpu_mem: number | null;
}

function toSample(row: StoredRow): UsageSample {
  return { t: row.t, resolution: row.resolution, cpu: row.cpu, memBytes: Number(row.mem), gpu: row.gpu, gpuMemBytes: row.gpu_mem === null ? null : Number(row.gpu_mem) };
}

/** Rows merged into one: CPU and GPU averaged over the time they stand for, memory its highest. */
export function mergeSamples(rows: readonly UsageSample[]): UsageSample {
  let resolution = 0;
  let cpu = 0;
  let mem = 0;
  let gpuTime = 0;
  let gpu = 0;
  let gpuMem: number | null = null;
  let t = 0;
  for (const row of rows) {
    resolution += row.resolution;
    cpu += row.cpu * row.resolution;
    mem = Math.max(mem, row.memBytes);
    t = Math.max(t, row.t);
    if (row.gpu !== null) {
      gpuTime += row.resolution;
      gpu += row.gpu * row.resolution;
    }
    if (row.gpuMemBytes !== null) {
      gpuMem = Math.max(gpuMem ?? 0, row.gpuMemBytes);
    }
  }
  return { t, resolution, cpu: resolution > 0 ? cpu / resolution : 0, memBytes: mem, gpu: gpuTime > 0 ? gpu / gpuTime : null, gpuMemBytes: gpuMem };
}

export class UsageRepository extends Repository {
  /** Stores one pass: every job's new sample and its summary so far. */
  record(samples: readonly SampleRow[], summaries: ReadonlyMap<JobId, UsageSummary>): void {
    this.transaction(() => {
      const insert = this.statement('INSERT OR REPLACE INTO job_usage (job_id, t, resolution, cpu, mem, gpu, gpu_mem) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const { id, sample } of samples) {
        insert.run(id, sample.t, sample.resolution, sample.cpu, Math.round(sample.memBytes), sample.gpu, sample.gpuMemBytes === null ? null : Math.round(sample.gpuMemBytes));
      }
      const update = this.statement(
        'UPDATE jobs SET usage_cpu_seconds = ?, usage_cpu_efficiency = ?, usage_peak_mem = ?, usage_gpu_seconds = ?, usage_measured_seconds = ? WHERE id = ?',
      );
      for (const [id, summary] of summaries) {
        update.run(summary.cpuSeconds, summary.cpuEfficiency, summary.peakMemBytes === null ? null : Math.round(summary.peakMemBytes), summary.gpuSeconds, summary.measuredSeconds, id);
      }
    });
  }

  /** A job's series from `since` (epoch seconds), oldest first. */
  series(id: JobId, since: number): UsageSample[] {
    const rows = this.statement('SELECT job_id, t, resolution, cpu, mem, gpu, gpu_mem FROM job_usage WHERE job_id = ? AND t > ? ORDER BY t').all(id, since) as StoredRow[];
    return rows.map(toSample);
  }

  /** The summary stored on a job (null fields before anything was measured). */
  summary(id: JobId): UsageSummary | undefined {
    const row = this.statement('SELECT usage_cpu_seconds, usage_cpu_efficiency, usage_peak_mem, usage_gpu_seconds, usage_measured_seconds FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : usageFromRow(row);
  }

  /**
   * Merges rows older than `before` finer than `resolution` into buckets of `resolution`
   * seconds (by job and bucket). Returns how many rows were removed.
   */
  downsample(before: number, resolution: number): number {
    return this.transaction(() => {
      const rows = this.statement('SELECT job_id, t, resolution, cpu, mem, gpu, gpu_mem FROM job_usage WHERE t < ? AND resolution < ? ORDER BY job_id, t', true)
        .all(before, resolution) as StoredRow[];
      const buckets = new Map<string, { id: bigint; rows: UsageSample[] }>();
      for (const row of rows) {
        const key = `${row.job_id.toString()}:${Math.floor(Number(row.t) / resolution)}`;
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          bucket = { id: row.job_id, rows: [] };
          buckets.set(key, bucket);
        }
        bucket.rows.push(toSample({ ...row, t: Number(row.t), resolution: Number(row.resolution), cpu: Number(row.cpu), gpu: row.gpu === null ? null : Number(row.gpu) }));
      }
      const remove = this.statement('DELETE FROM job_usage WHERE job_id = ? AND t = ?');
      const insert = this.statement('INSERT INTO job_usage (job_id, t, resolution, cpu, mem, gpu, gpu_mem) VALUES (?, ?, ?, ?, ?, ?, ?)');
      let removed = 0;
      for (const bucket of buckets.values()) {
        if (bucket.rows.length < 2) {
          continue;
        }
        for (const row of bucket.rows) {
          remove.run(bucket.id, row.t);
        }
        const merged = mergeSamples(bucket.rows);
        insert.run(bucket.id, merged.t, merged.resolution, merged.cpu, merged.memBytes, merged.gpu, merged.gpuMemBytes);
        removed += bucket.rows.length - 1;
      }
      return removed;
    });
  }

  /** Cores used on average in each bucket of `step` seconds from `from` to `to` (measured jobs only). */
  coresUsed(from: number, to: number, step: number): { bucket: number; cores: number; gpus: number | null }[] {
    const rows = this.statement(
      'SELECT CAST((t - @from) / @step AS INTEGER) AS bucket, SUM(cpu * resolution) AS cpu, SUM(gpu * resolution) AS gpu FROM job_usage WHERE t > @from AND t <= @to GROUP BY bucket ORDER BY bucket',
    ).all({ from, to, step }) as { bucket: number; cpu: number; gpu: number | null }[];
    return rows.map((row) => ({ bucket: row.bucket, cores: row.cpu / step, gpus: row.gpu === null ? null : row.gpu / step }));
  }

  rowCount(id: JobId): number {
    return Number(this.statement('SELECT COUNT(*) FROM job_usage WHERE job_id = ?').pluck().get(id));
  }
}
