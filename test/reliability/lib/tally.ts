/**
 * What the reliability suite counts, per test file: requests sent, faults injected, jobs
 * checked, jobs lost or duplicated, unexpected 5xx answers and hangs, plus figures (RSS,
 * latency percentiles) per load part. Every count is incremented where the thing happens
 * (the HTTP clients count requests and 5xx, the tests count faults and checked jobs), and each
 * test file appends its counts to the file named by JOBGATE_RELIABILITY_TALLY when it ends;
 * the runner (run.ts) sums them and prints the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import type test from 'ava';

export interface Counts {
  /** HTTP requests sent to a jobgate (every client of the suite counts here). */
  requests: number;
  /** Faults injected: SIGKILLs, helper and broker deaths, a full disk, removed files. */
  faults: number;
  /** Jobs whose presence, final state (and output, where known) were checked. */
  jobsChecked: number;
  /** Jobs answered with a 2xx that were missing or wrong afterwards. */
  lost: number;
  /** Jobs stored or run twice. */
  duplicated: number;
  /** 5xx answers other than a 503 with Retry-After during an outage the test caused. */
  serverErrors: number;
  /** 503 answers with Retry-After while the backend was down on purpose (expected). */
  refusedWhileDown: number;
  /** Requests that got no answer within their time limit. */
  hangs: number;
}

export type FigureValue = string | number;

export interface Figure {
  section: string;
  values: Record<string, FigureValue>;
}

export interface TallyRecord {
  file: string;
  counts: Counts;
  figures: Figure[];
}

export const counts: Counts = { requests: 0, faults: 0, jobsChecked: 0, lost: 0, duplicated: 0, serverErrors: 0, refusedWhileDown: 0, hangs: 0 };
const figures: Figure[] = [];

/** Records figures of one part (shown by the runner in the order recorded). */
export function recordFigure(section: string, values: Record<string, FigureValue>): void {
  figures.push({ section, values });
}

/** Registers the hook that writes this file's counts when its tests are done. */
export function reportTally(runner: typeof test, file: string): void {
  runner.after.always(() => {
    const target = process.env.JOBGATE_RELIABILITY_TALLY;
    const record: TallyRecord = { file: path.basename(file), counts: { ...counts }, figures };
    if (target === undefined || target === '') {
      process.stdout.write(`tally ${JSON.stringify(record)}\n`);
      return;
    }
    fs.appendFileSync(target, `${JSON.stringify(record)}\n`);
  });
}

/** Percentiles of a sample (nearest rank), in the sample's unit. */
export function percentiles(sample: readonly number[], ranks: readonly number[] = [50, 95, 99]): Record<string, number> {
  const sorted = [...sample].sort((a, b) => a - b);
  const result: Record<string, number> = {};
  for (const rank of ranks) {
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
    result[`p${rank}`] = sorted.length === 0 ? Number.NaN : Math.round((sorted[index] ?? Number.NaN) * 10) / 10;
  }
  return result;
}

/** `p50 1.2 / p95 3.4 / p99 5.6 ms (n=...)`: a latency sample in one line. */
export function latencyLine(sample: readonly number[]): string {
  const p = percentiles(sample);
  return `p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} ms (n=${sample.length})`;
}
