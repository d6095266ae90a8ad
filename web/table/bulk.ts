/**
 * Cancel, hold or release the selected jobs in one request (`/v1/jobs/bulk`). A dry run comes
 * first and the confirmation shows it: how many jobs the action will change, and which it will
 * refuse and why (a running job cannot be held, an ended one cannot be canceled). Nothing
 * changes until the person confirms.
 */
import { errorText, required, sendJson } from '../lib/dom.js';
import { f58ToDecimal } from '../lib/jobid.js';
import { SignedOut } from './rows.js';

export type BulkAction = 'cancel' | 'hold' | 'release';

interface BulkItem {
  jobid: string;
  ok: boolean;
  changed: boolean;
  error?: { code: string; message: string };
}

interface BulkAnswer {
  dry_run: boolean;
  summary: { requested: number; succeeded: number; changed: number; failed: number };
  results: BulkItem[];
}

const WORDS: Record<BulkAction, { verb: string; done: string; noun: string }> = {
  cancel: { verb: 'Cancel', done: 'Cancel requested for', noun: 'canceled' },
  hold: { verb: 'Hold', done: 'Held', noun: 'held' },
  release: { verb: 'Release', done: 'Released', noun: 'released' },
};

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

async function bulk(body: Record<string, unknown>): Promise<BulkAnswer> {
  const response = await sendJson('POST', '/v1/jobs/bulk', body);
  if (response.status === 401) {
    throw new SignedOut('signed out');
  }
  if (!response.ok) {
    throw new Error(await errorText(response));
  }
  return (await response.json()) as BulkAnswer;
}

const dialog = required('#bulk-dialog', HTMLDialogElement);
const title = required('#bulk-title', HTMLElement);
const summary = required('#bulk-summary', HTMLElement);
const refusals = required('#bulk-refusals', HTMLUListElement);
const reasonField = required('#bulk-reason-field', HTMLElement);
const reason = required('#bulk-reason', HTMLInputElement);
const confirm = required('#bulk-confirm', HTMLButtonElement);

/** Fills the confirmation from the dry run; resolves true when the person confirms. */
function ask(action: BulkAction, preview: BulkAnswer): Promise<boolean> {
  const words = WORDS[action];
  const count = preview.summary.succeeded;
  title.textContent = `${words.verb} ${plural(preview.summary.requested, 'selected job')}?`;
  summary.textContent = count === 0 ? `None of them can be ${words.noun}.` : `${plural(count, 'job')} will be ${words.noun}.`;
  refusals.replaceChildren(...preview.results.filter((item) => !item.ok).map((item) => {
    const line = document.createElement('li');
    // The table shows decimal ids: name the job that way too (the message has its F58 id).
    line.textContent = `${f58ToDecimal(item.jobid) ?? item.jobid}: ${item.error?.message ?? 'refused'}`;
    return line;
  }));
  reasonField.hidden = action === 'release';
  reason.value = '';
  confirm.textContent = count === 0 ? 'Nothing to do' : `${words.verb} ${plural(count, 'job')}`;
  confirm.disabled = count === 0;
  confirm.className = action === 'cancel' ? 'danger' : 'primary';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

/** Previews, asks, then acts; returns the sentence for the status line ('' when the person backed out). */
export async function bulkAction(action: BulkAction, ids: readonly string[]): Promise<string> {
  const preview = await bulk({ action, job_ids: ids, dry_run: true });
  if (!(await ask(action, preview))) {
    return '';
  }
  const given = reason.value.trim();
  const answer = await bulk({ action, job_ids: ids, ...(given !== '' && action !== 'release' ? { reason: given } : {}) });
  const words = WORDS[action];
  const done = answer.results.filter((item) => item.ok).length;
  const failed = answer.results.filter((item) => !item.ok);
  return [
    `${words.done} ${plural(done, 'job')}.`,
    failed.length > 0 ? `${plural(failed.length, 'job')} could not be ${words.noun}: ${failed.map((item) => f58ToDecimal(item.jobid) ?? item.jobid).join(', ')}.` : '',
  ].filter(Boolean).join(' ');
}
