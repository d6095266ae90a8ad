/** Times and durations as people read and write them on a command line. */
import { parseDuration } from '../../lib/parse.js';

/**
 * A time limit as `flux submit -t` and `sbatch -t` read it: `30s`, `10m`, `1h30m`, `2d`, or
 * `[[D-]HH:]MM:SS`-style clock forms (`1:30:00`); a bare number is minutes. Returns seconds.
 */
export function parseTimeLimit(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed) * 60;
  }
  const clock = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(trimmed);
  if (clock !== null) {
    const [, days, hours, minutes, seconds] = clock;
    return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  return parseDuration(trimmed);
}

/** Seconds as `850ms`, `4.2s`, `3m04s`, `2h05m`, `3d4h`: short, and precise where it matters. */
export function shortDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '-';
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)}ms`;
  }
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  }
  if (whole < 86400) {
    return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
  }
  return `${Math.floor(whole / 86400)}d${Math.floor((whole % 86400) / 3600)}h`;
}

/** How long ago a time (seconds since the epoch) was: `12s ago`, `3m ago`, `2d ago`. */
export function ago(epochSeconds: number, nowSeconds = Date.now() / 1000): string {
  const seconds = Math.max(0, nowSeconds - epochSeconds);
  if (seconds < 60) {
    return `${Math.floor(seconds)}s ago`;
  }
  const [unit, size] = seconds < 3600 ? ['m', 60] : seconds < 86400 ? ['h', 3600] : ['d', 86400];
  return `${Math.floor(seconds / size)}${unit} ago`;
}

/** Local date and time, to the second: `2026-11-22 17:06:21`. */
export function localTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
