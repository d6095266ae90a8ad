/**
 * A job page's state, kept current: the state and result badges change as events arrive, the
 * cancel button goes once the job has ended, and the attributes (times, return code, events)
 * and the scheduling controls are read again from the server-rendered page, so the page never
 * formats them twice.
 */
import { badge, required } from '../lib/dom.js';
import { localizeTimes } from '../lib/format.js';

const REFRESH_DELAY_MS = 300;

export class LiveState {
  private timer: number | undefined;

  constructor(private readonly root: HTMLElement) {}

  get active(): boolean {
    return this.root.dataset.active === 'true';
  }

  show(state: string, result: string): void {
    required('#job-state', HTMLElement).replaceChildren(badge('state', state) ?? '');
    required('#job-result', HTMLElement).replaceChildren(badge('result', state === 'INACTIVE' ? result : '') ?? '');
    this.setActive(state !== 'INACTIVE');
  }

  /** Re-reads the attributes soon (several events in a row cause one read). */
  refreshSoon(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  private setActive(active: boolean): void {
    this.root.dataset.active = String(active);
    const cancel = document.querySelector<HTMLFormElement>('#cancel-form');
    if (cancel !== null) {
      cancel.hidden = !active;
    }
  }

  private async refresh(): Promise<void> {
    // The job's own address: after a refused form the address bar shows where the form posted.
    const response = await fetch(`/job/${encodeURIComponent(this.root.dataset.jobId ?? '')}`, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    // The scheduling controls follow the state too: a job that starts can no longer be held.
    for (const id of ['job-attributes', 'job-status', 'job-controls']) {
      const replacement = fresh.getElementById(id);
      const current = document.getElementById(id);
      if (replacement !== null && current !== null) {
        current.replaceWith(document.importNode(replacement, true));
      }
    }
    const freshRoot = fresh.getElementById('job');
    if (freshRoot !== null) {
      this.setActive(freshRoot.dataset.active === 'true');
    }
    localizeTimes();
  }
}
