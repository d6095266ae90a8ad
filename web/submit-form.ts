/**
 * The submit form without page reloads for small things: environment variables as rows that
 * can be added and removed, and the time limit read back in words as it is typed. The form
 * itself is a plain POST (it works without this script).
 */
import { formatDuration } from './lib/format.js';
import { required } from './lib/dom.js';

const rows = required('#env-rows', HTMLElement);
const add = required('#add-env', HTMLButtonElement);
const runtime = required('#runtime', HTMLInputElement);
const runtimeHint = required('#runtime-hint', HTMLElement);
const defaultHint = runtimeHint.textContent ?? '';

function blankRow(): HTMLElement {
  const last = rows.querySelector<HTMLElement>('.env-row:last-of-type');
  const row = last === null ? document.createElement('div') : (last.cloneNode(true) as HTMLElement);
  row.className = 'env-row';
  row.querySelector('.field-errors')?.remove();
  for (const input of row.querySelectorAll('input')) {
    input.value = '';
  }
  return row;
}

rows.addEventListener('click', (event) => {
  const target = event.target;
  if (!(target instanceof HTMLButtonElement) || !target.classList.contains('remove-env')) {
    return;
  }
  const row = target.closest('.env-row');
  if (rows.querySelectorAll('.env-row').length > 1) {
    row?.remove();
  } else {
    // Keep one (empty) row to type into.
    for (const input of row?.querySelectorAll('input') ?? []) {
      input.value = '';
    }
  }
});

add.hidden = false;
add.addEventListener('click', () => {
  const row = blankRow();
  rows.append(row);
  row.querySelector('input')?.focus();
});

const UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** The same rules as the server's parseDuration: `90`, `90s`, `15m`, `1h30m`, `1.5h`. */
function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/gy)) {
    total += Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

runtime.addEventListener('input', () => {
  const value = runtime.value.trim();
  if (value === '') {
    runtimeHint.textContent = defaultHint;
    return;
  }
  const seconds = parseDuration(value);
  runtimeHint.textContent = seconds === undefined ? 'Not a duration: write e.g. 90s, 15m, 1h30m' : seconds === 0 ? 'No limit' : `Limit: ${formatDuration(seconds)} (${seconds} s)`;
});
