/** Reading a posted form (koa-body gives a string, or an array when a name repeats) as text. */

export type FormBody = Readonly<Record<string, unknown>>;

/** The posted body as fields (anything else: no fields). */
export function formBody(body: unknown): FormBody {
  return typeof body === 'object' && body !== null ? (body as FormBody) : {};
}

/** Every value of a field, in order. */
export function formList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((item) => (typeof item === 'string' ? item : ''));
  }
  return typeof value === 'string' ? [value] : [];
}

/** A field's value (the last one when it repeats), or ''. */
export function formValue(value: unknown): string {
  const items = formList(value);
  return items[items.length - 1] ?? '';
}
