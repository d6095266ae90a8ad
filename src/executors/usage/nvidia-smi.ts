/**
 * GPU use through NVML's command-line face, nvidia-smi: per-GPU utilization and memory
 * (`--query-gpu`) and the processes holding each GPU (`--query-compute-apps`), both as CSV
 * without header or units. Where nvidia-smi is not installed there is no GPU reading at all
 * (null, never zeros).
 */
import { runCommand } from '../process.js';
import { resolveExecutable } from '../resolve-executable.js';

export const GPU_QUERY = ['--query-gpu=index,uuid,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];
export const APPS_QUERY = ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'];

const MIB = 1024 * 1024;

export interface GpuDevice {
  index: number;
  uuid: string;
  /** 0..1; null when the device reports "[N/A]" (some do, e.g. under MIG). */
  utilization: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
}

export interface GpuProcess {
  pid: number;
  uuid: string;
  usedMemoryBytes: number | null;
}

export interface GpuSnapshot {
  devices: GpuDevice[];
  processes: GpuProcess[];
}

function csvRows(text: string): string[][] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line) => line.split(',').map((cell) => cell.trim()));
}

/** A number cell; "[N/A]", "[Not Supported]" and the like are null. */
function numberCell(cell: string | undefined): number | null {
  if (cell === undefined || cell === '' || cell.startsWith('[')) {
    return null;
  }
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

export function parseGpuQuery(text: string): GpuDevice[] {
  const devices: GpuDevice[] = [];
  for (const [index, uuid, utilization, used, total] of csvRows(text)) {
    const number = numberCell(index);
    if (number === null || uuid === undefined || uuid === '') {
      continue;
    }
    const percent = numberCell(utilization);
    const usedMib = numberCell(used);
    const totalMib = numberCell(total);
    devices.push({
      index: number,
      uuid,
      utilization: percent === null ? null : percent / 100,
      memoryUsedBytes: usedMib === null ? null : usedMib * MIB,
      memoryTotalBytes: totalMib === null ? null : totalMib * MIB,
    });
  }
  return devices;
}

export function parseComputeApps(text: string): GpuProcess[] {
  const processes: GpuProcess[] = [];
  for (const [pid, uuid, used] of csvRows(text)) {
    const number = numberCell(pid);
    if (number === null || uuid === undefined || uuid === '') {
      continue;
    }
    const usedMib = numberCell(used);
    processes.push({ pid: number, uuid, usedMemoryBytes: usedMib === null ? null : usedMib * MIB });
  }
  return processes;
}

/** GPU use of one set of processes: the devices they hold count as busy as the device is. */
export function gpuUseOf(snapshot: GpuSnapshot, pids: ReadonlySet<number>): { busy: number; memoryBytes: number } | null {
  const held = snapshot.processes.filter((process) => pids.has(process.pid));
  if (held.length === 0) {
    return null;
  }
  const uuids = new Set(held.map((process) => process.uuid));
  let busy = 0;
  for (const device of snapshot.devices) {
    if (uuids.has(device.uuid)) {
      busy += device.utilization ?? 0;
    }
  }
  return { busy, memoryBytes: held.reduce((sum, process) => sum + (process.usedMemoryBytes ?? 0), 0) };
}

/** Reads the GPUs of this machine; null when there is no nvidia-smi or it fails (no GPU). */
export class NvidiaSmi {
  private readonly file: string | null;

  constructor(searchPath: string = process.env.PATH ?? '') {
    const found = resolveExecutable('nvidia-smi', searchPath, '/');
    this.file = found.ok ? found.file : null;
  }

  get present(): boolean {
    return this.file !== null;
  }

  async read(): Promise<GpuSnapshot | null> {
    if (this.file === null) {
      return null;
    }
    const [gpus, apps] = await Promise.all([runCommand(this.file, GPU_QUERY, { timeoutMs: 5000 }), runCommand(this.file, APPS_QUERY, { timeoutMs: 5000 })]);
    if (gpus.exitCode !== 0 || apps.exitCode !== 0) {
      return null;
    }
    const devices = parseGpuQuery(gpus.stdout);
    return devices.length === 0 ? null : { devices, processes: parseComputeApps(apps.stdout) };
  }
}
