/** Formatting for people: durations as 1h30m (as the server writes them), times in the reader's zone. */

/** Seconds as `1h30m`, `45s` (the same rules as the server's formatDuration). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return '0s';
  }
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join('') : `${seconds.toFixed(2)}s`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** An epoch time (seconds) as local `YYYY-MM-DD HH:MM:SS` (with `.mmm` when `precise`). */
export function formatTime(seconds: number, precise = false): string {
  const date = new Date(seconds * 1000);
  const text = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return precise ? `${text}.${String(date.getMilliseconds()).padStart(3, '0')}` : text;
}

/** Shows every server-rendered `<time datetime>` (written in UTC) in local time; the UTC text stays as the tooltip. */
export function localizeTimes(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const ms = Date.parse(node.dateTime);
    if (Number.isFinite(ms) && node.dataset.localized !== 'true') {
      node.title = node.textContent ?? '';
      // Events of one job often fall within a second: they show milliseconds.
      node.textContent = formatTime(ms / 1000, node.dataset.precise === 'true');
      node.dataset.localized = 'true';
    }
  }
}
