/**
 * A job's page, live: the output arrives over Server-Sent Events while the job runs (last
 * lines first, older ones on request), the state badge and attributes follow the job, and
 * the output can be copied or downloaded.
 */
import { required } from './lib/dom.js';
import { localizeTimes } from './lib/format.js';
import { LiveState } from './job/live-state.js';
import { bytesText, chunkBytes, OutputView, type StreamName } from './output-view.js';

type View = 'all' | StreamName;

interface Chunk {
  stream: StreamName;
  data: string;
  encoding?: string;
}

interface OutputPage {
  chunks: Chunk[];
  cursor: number;
  start: number;
  complete: boolean;
}

/** Lines shown first; older output is loaded a block at a time. */
const TAIL_LINES = 1000;
const FIRST_READ_BYTES = 4 * 1024 * 1024;
const EARLIER_BLOCK_BYTES = 256 * 1024;

const root = required('#job', HTMLElement);
const jobId = root.dataset.jobId ?? '';
const pre = required('#output', HTMLPreElement);
const status = required('#output-status', HTMLElement);
const follow = required('#follow-output', HTMLInputElement);
const earlier = required('#load-earlier', HTMLButtonElement);
const download = required('#download-output', HTMLAnchorElement);
const output = new OutputView(pre);
const live = new LiveState(root);

let view: View = 'all';
/** Cursor of the first byte shown (for loading earlier output). */
let firstCursor = 0;
let source: EventSource | null = null;
/** Bumped on every view switch, so answers for an older view are dropped. */
let generation = 0;

function isChunk(value: unknown): value is Chunk {
  const chunk = value as Partial<Chunk> | null;
  return typeof chunk === 'object' && chunk !== null && typeof chunk.data === 'string' && (chunk.stream === 'stdout' || chunk.stream === 'stderr');
}

function outputUrl(params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
  return `/v1/jobs/${encodeURIComponent(jobId)}/output?${query.toString()}`;
}

async function readPage(params: Record<string, string | number>): Promise<OutputPage> {
  const response = await fetch(outputUrl({ ...params, stream: view, format: 'chunks' }), { credentials: 'same-origin' });
  if (!response.ok) {
    throw new Error(response.status === 401 ? 'signed out: reload the page to sign in again' : `output: HTTP ${response.status}`);
  }
  const body = (await response.json()) as Partial<OutputPage>;
  return { chunks: (body.chunks ?? []).filter(isChunk), cursor: body.cursor ?? 0, start: body.start ?? 0, complete: body.complete === true };
}

function showStatus(text: string): void {
  status.textContent = text;
}

function scrollToEnd(): void {
  if (follow.checked) {
    pre.scrollTop = pre.scrollHeight;
  }
}

function appendChunk(chunk: Chunk): void {
  output.append(bytesText(chunkBytes(chunk.data, chunk.encoding)), chunk.stream);
}

function updateEarlierButton(): void {
  earlier.hidden = firstCursor <= 0 && !output.trimmed;
  earlier.disabled = output.trimmed;
  earlier.textContent = output.trimmed ? 'Older output left the page: download it to see everything' : 'Load earlier output';
}

async function start(): Promise<void> {
  generation += 1;
  const mine = generation;
  source?.close();
  source = null;
  output.clear();
  download.href = `/job/${encodeURIComponent(jobId)}/output.txt?stream=${view}`;
  showStatus('Loading…');
  try {
    const page = await readPage({ tail: TAIL_LINES, max_bytes: FIRST_READ_BYTES });
    if (mine !== generation) {
      return;
    }
    firstCursor = page.start;
    page.chunks.forEach(appendChunk);
    updateEarlierButton();
    scrollToEnd();
    if (page.complete && !live.active) {
      showStatus(output.isEmpty() ? 'No output.' : 'Complete.');
      return;
    }
    followFrom(page.cursor, mine);
  } catch (error: unknown) {
    showStatus(error instanceof Error ? error.message : String(error));
  }
}

/** Follows the output from `cursor` (EventSource reconnects by itself, resuming at the last event id). */
function followFrom(cursor: number, mine: number): void {
  const events = new EventSource(`/v1/jobs/${encodeURIComponent(jobId)}/output/events?stream=${view}&since=${cursor}`);
  source = events;
  showStatus('Live');
  events.addEventListener('output', (event) => {
    if (mine !== generation) {
      return;
    }
    const chunk: unknown = JSON.parse((event as MessageEvent<string>).data);
    if (isChunk(chunk)) {
      appendChunk(chunk);
      updateEarlierButton();
      scrollToEnd();
    }
  });
  events.addEventListener('state', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as { event?: string; state?: string; result?: string };
    if (typeof change.state === 'string') {
      live.show(change.state, typeof change.result === 'string' ? change.result : '');
    }
    if (change.event !== 'current') {
      live.refreshSoon();
    }
  });
  events.addEventListener('end', () => {
    events.close();
    if (mine === generation) {
      showStatus(output.isEmpty() ? 'No output.' : 'Complete.');
    }
    live.refreshSoon();
  });
  events.addEventListener('error', (event) => {
    if (event instanceof MessageEvent && typeof event.data === 'string') {
      // An error the server reported (as an event): the stream is over.
      events.close();
      const problem = JSON.parse(event.data) as { message?: string };
      showStatus(problem.message ?? 'Output unavailable.');
      return;
    }
    showStatus(events.readyState === EventSource.CLOSED ? 'Disconnected: reload the page.' : 'Reconnecting…');
  });
  events.addEventListener('open', () => showStatus('Live'));
}

async function loadEarlier(): Promise<void> {
  const mine = generation;
  const since = Math.max(0, firstCursor - EARLIER_BLOCK_BYTES);
  earlier.disabled = true;
  try {
    const page = await readPage({ since, max_bytes: firstCursor - since });
    if (mine !== generation) {
      return;
    }
    let parts = page.chunks.map((chunk) => ({ bytes: chunkBytes(chunk.data, chunk.encoding), stream: chunk.stream }));
    let begin = since;
    if (since > 0) {
      // Start at a line boundary; the part of a line cut off stays for the next block.
      const all = parts.flatMap((part) => [...part.bytes]);
      const newline = all.indexOf(0x0a);
      if (newline >= 0 && newline < all.length - 1) {
        let skip = newline + 1;
        begin += skip;
        parts = parts.flatMap((part) => {
          const cut = Math.min(skip, part.bytes.length);
          skip -= cut;
          return cut === part.bytes.length ? [] : [{ bytes: part.bytes.subarray(cut), stream: part.stream }];
        });
      }
    }
    output.prepend(parts.map((part) => ({ text: bytesText(part.bytes), stream: part.stream })));
    firstCursor = begin;
  } catch (error: unknown) {
    showStatus(error instanceof Error ? error.message : String(error));
  } finally {
    earlier.disabled = false;
    updateEarlierButton();
  }
}

async function copyOutput(): Promise<void> {
  const text = output.text();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (plain http on another host): select the text and copy it the old way.
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    document.execCommand('copy');
  }
  showStatus(`Copied ${text.length.toLocaleString()} characters.`);
}

for (const button of document.querySelectorAll<HTMLButtonElement>('.segmented [data-view]')) {
  button.addEventListener('click', () => {
    const chosen = button.dataset.view;
    if (chosen !== 'all' && chosen !== 'stdout' && chosen !== 'stderr') {
      return;
    }
    view = chosen;
    for (const other of document.querySelectorAll<HTMLButtonElement>('.segmented [data-view]')) {
      other.setAttribute('aria-pressed', String(other === button));
    }
    void start();
  });
}
earlier.addEventListener('click', () => void loadEarlier());
required('#copy-output', HTMLButtonElement).addEventListener('click', () => void copyOutput());
follow.addEventListener('change', scrollToEnd);
localizeTimes();
void start();
