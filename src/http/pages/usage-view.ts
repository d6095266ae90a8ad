/** A job's usage summary as its page shows it (the chart's script refreshes the same fields). */
import type { UsageSummary } from '../../model/usage.js';

export interface UsageRow {
  key: string;
  label: string;
  value: string;
}

const NOT_MEASURED = '—';

export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit] ?? 'B'}`;
}

export function usageRows(summary: UsageSummary | undefined): UsageRow[] {
  const shown = (value: number | null | undefined, format: (value: number) => string): string => (value === null || value === undefined ? NOT_MEASURED : format(value));
  return [
    { key: 'cpu_efficiency', label: 'CPU efficiency', value: shown(summary?.cpuEfficiency, (value) => `${(value * 100).toFixed(0)} %`) },
    { key: 'cpu_seconds', label: 'CPU-seconds', value: shown(summary?.cpuSeconds, (value) => value.toFixed(1)) },
    { key: 'peak_memory', label: 'Peak memory', value: shown(summary?.peakMemBytes, bytesText) },
    { key: 'gpu_seconds', label: 'GPU-seconds', value: shown(summary?.gpuSeconds, (value) => value.toFixed(1)) },
    { key: 'measured_seconds', label: 'Measured for', value: shown(summary?.measuredSeconds, (value) => `${value.toFixed(0)} s`) },
  ];
}
