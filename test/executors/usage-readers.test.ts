/**
 * The pure parts of usage metrics on recorded input: a /proc stat line captured on Linux, the
 * nvidia-smi CSV fixtures (hand-written in its documented format: no GPU here), how readings
 * become samples and a summary, and how older samples merge.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseProcStat, sumBySession, type ProcStat } from '../../src/executors/usage/proc-reader.js';
import { gpuUseOf, parseComputeApps, parseGpuQuery } from '../../src/executors/usage/nvidia-smi.js';
import { UsageAccumulator } from '../../src/domain/usage/usage-accumulator.js';
import { mergeSamples } from '../../src/db/usage-repository.js';
import type { UsageReading } from '../../src/model/usage.js';
import { projectRoot } from '../../src/version.js';

function fixture(name: string): string {
  return fs.readFileSync(path.join(projectRoot, 'test', 'fixtures', 'usage', name), 'utf8').split('\n').filter((line) => !line.startsWith('#')).join('\n');
}

// Captured from a process whose name was set to "we (ird) job" (proc(5) puts it in parentheses as is).
const STAT = '16916 (we (ird) job) R 16911 16911 3150 0 -1 4194304 2881 6501 0 0 7 4 13 19 20 0 1 0 151504 16977920 3351 18446744073709551615 94530512490496 94530512490837 140724629691904 0 0 0 0 16781312 2 0 0 0 17 0 0 0 0 0 0 94530512502192 94530512502808 94530753372160 140724629698475 140724629698620 140724629698620 140724629700559 0\n';

test('a stat line: session, CPU of the process and its reaped children, rss pages, despite a name with spaces and parentheses', (t) => {
  const stat = parseProcStat(STAT);
  t.deepEqual(stat, { pid: 16916, ppid: 16911, session: 3150, cpuSeconds: (7 + 4 + 13 + 19) / 100, rssPages: 3351, startTicks: 151504 });
  t.is(parseProcStat('16916 (gone'), null);
});

test('processes sum by session; other sessions are left out', (t) => {
  const process = (pid: number, session: number, cpuSeconds: number, rssPages: number): ProcStat => ({ pid, ppid: 1, session, cpuSeconds, rssPages, startTicks: 0 });
  const sums = sumBySession([process(10, 10, 1.5, 100), process(11, 10, 2, 50), process(20, 20, 9, 9)], new Set([10, 30]), 4096);
  t.deepEqual([...sums.keys()], [10]);
  t.deepEqual(sums.get(10), { cpuSeconds: 3.5, rssBytes: 150 * 4096, pids: [10, 11] });
});

test('nvidia-smi: devices with [N/A] cells as null, processes, and the GPU use of one job\'s processes', (t) => {
  const devices = parseGpuQuery(fixture('nvidia-smi-query-gpu.csv'));
  t.is(devices.length, 4);
  t.like(devices[0], { index: 0, uuid: 'GPU-6f2c1b8e-3a57-4d0b-9d1e-8a4f0e2b7c11', utilization: 0.97, memoryUsedBytes: 30512 * 1048576, memoryTotalBytes: 81920 * 1048576 });
  t.like(devices[3], { index: 3, utilization: null, memoryUsedBytes: null });
  const processes = parseComputeApps(fixture('nvidia-smi-compute-apps.csv'));
  t.deepEqual(processes.map((each) => each.pid), [41873, 41873, 41990]);
  const use = gpuUseOf({ devices, processes }, new Set([41873, 5]));
  t.deepEqual(use, { busy: 0.97 + 0.48, memoryBytes: (30210 + 6020) * 1048576 });
  // A job with no process on any GPU has no GPU reading at all.
  t.is(gpuUseOf({ devices, processes }, new Set([7])), null);
});

function reading(t: number, cpuSeconds: number, rssBytes: number, gpu: UsageReading['gpu'] = null): UsageReading {
  return { id: 1n, t, cpuSeconds, rssBytes, peakRssBytes: null, gpu, processes: 1, source: 'proc' };
}

test('readings become cores used between them; the summary sums CPU, keeps the peak and integrates GPUs', (t) => {
  const job = new UsageAccumulator(1n, 4, 100);
  t.like(job.add(reading(102, 4, 1000, { busy: 1, memoryBytes: 10 })), { t: 102, resolution: 2, cpu: 2, memBytes: 1000, gpu: 1, gpuMemBytes: 10 });
  t.like(job.add(reading(104, 6, 3000, { busy: 0.5, memoryBytes: 10 })), { cpu: 1, memBytes: 3000 });
  // A process ended and took its CPU time with it: no negative use.
  t.like(job.add(reading(106, 5, 2000, { busy: 0, memoryBytes: 0 })), { cpu: 0 });
  t.deepEqual(job.summary, { cpuSeconds: 6, cpuEfficiency: 6 / (4 * 6), peakMemBytes: 3000, gpuSeconds: 3, measuredSeconds: 6 });
});

test('after a restart the first reading is only a baseline; nothing measured means null figures', (t) => {
  const job = new UsageAccumulator(1n, 2, 100, { cpuSeconds: null, cpuEfficiency: null, peakMemBytes: null, gpuSeconds: null, measuredSeconds: null });
  t.is(job.add(reading(150, 40, 10)), null);
  t.deepEqual(job.summary, { cpuSeconds: null, cpuEfficiency: null, peakMemBytes: 10, gpuSeconds: null, measuredSeconds: null });
  t.like(job.add(reading(160, 50, 10)), { cpu: 1, resolution: 10 });
});

test('merged samples: CPU and GPU averaged over the time each stands for, memory at its highest', (t) => {
  const merged = mergeSamples([
    { t: 10, resolution: 5, cpu: 2, memBytes: 100, gpu: null, gpuMemBytes: null },
    { t: 25, resolution: 15, cpu: 1, memBytes: 300, gpu: 1, gpuMemBytes: 7 },
  ]);
  t.deepEqual(merged, { t: 25, resolution: 20, cpu: (2 * 5 + 1 * 15) / 20, memBytes: 300, gpu: 1, gpuMemBytes: 7 });
});
