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

/** A same-origin JSON request to the API with the CSRF token (the session cookie goes along). */
export function sendJson(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body: unknown): Promise<Response> {
  const token = csrfToken();
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', ...(token === '' ? {} : { 'X-CSRF-Token': token }) };
  return fetch(url, { method, credentials: 'same-origin', headers, body: JSON.stringify(body) });
}

/** The message of an API error answer (the one error shape, or flux-restful-api's), else the status. */
export async function errorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown }; detail?: unknown; Message?: unknown };
    const message = body.error?.message ?? body.detail ?? body.Message;
    if (typeof message === 'string' && message !== '') {
      return message;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return `HTTP ${response.status}`;
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
