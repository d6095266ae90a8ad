/** Small DOM helpers shared by the page scripts. */

/** The element a page must have, of the expected kind (a missing one is a template bug: fail loudly). */
export function required<T extends Element>(selector: string, kind: { new (): T; prototype: T }, root: ParentNode = document): T {
  const found = root.querySelector(selector);
  if (!(found instanceof kind)) {
    throw new Error(`the page has no ${selector}`);
  }
  return found;
}

/** The session's CSRF token (pages render it when signed in with a session), or ''. */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** A same-origin POST to the API with the CSRF token (the session cookie goes along). */
export function postWithCsrf(url: string): Promise<Response> {
  const token = csrfToken();
  return fetch(url, { method: 'POST', credentials: 'same-origin', headers: token === '' ? {} : { 'X-CSRF-Token': token } });
}

/** Control characters in caret notation (`^[`, `^G`), as the server shows them. */
export function visibleControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `^${String.fromCharCode(ch.charCodeAt(0) ^ 0x40)}`);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML markup (element content or a quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A tagged template whose every interpolated value is escaped: `html\`<a href="/job/${id}">${name}</a>\``. */
export function html(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, index) => out + part + (index < values.length ? escapeHtml(String(values[index])) : ''), '');
}

/** A badge element like the server renders (partials/badges.njk). */
export function badge(kind: 'state' | 'result', value: string): HTMLElement | null {
  if (value === '') {
    return null;
  }
  const span = document.createElement('span');
  span.className = `badge ${kind} ${kind}-${value.toLowerCase()}`;
  span.textContent = value;
  return span;
}
