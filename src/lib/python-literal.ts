/**
 * Reads a Python dict literal such as `{'FOO': 'bar', 'N': 3}`: the current flux-restful-client
 * sends `envars` in the query string as the Python `str()` of a dict, which the original server
 * silently ignored. Only str/int/float/bool/None values are accepted; nothing is evaluated.
 */
type Scalar = string | number | boolean | null;

export function parsePythonDict(text: string): Record<string, Scalar> | undefined {
  let position = 0;
  const skipSpace = (): void => {
    while (position < text.length && /\s/.test(text[position] ?? '')) {
      position += 1;
    }
  };
  const expect = (ch: string): boolean => {
    skipSpace();
    if (text[position] === ch) {
      position += 1;
      return true;
    }
    return false;
  };
  const readString = (): string | undefined => {
    skipSpace();
    const quote = text[position];
    if (quote !== "'" && quote !== '"') {
      return undefined;
    }
    position += 1;
    let value = '';
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
    while (position < text.length) {
      const ch = text[position] ?? '';
      if (ch === quote) {
        position += 1;
        return value;
      }
      if (ch === '\\') {
        const next = text[position + 1] ?? '';
        if (next === 'x' || next === 'u') {
          const width = next === 'x' ? 2 : 4;
          const hex = text.slice(position + 2, position + 2 + width);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) {
            return undefined;
          }
          value += String.fromCharCode(Number.parseInt(hex, 16));
          position += 2 + width;
          continue;
        }
        value += escapes[next] ?? `\\${next}`;
        position += 2;
        continue;
      }
      value += ch;
      position += 1;
    }
    return undefined;
  };
  const readScalar = (): Scalar | undefined => {
    skipSpace();
    const ch = text[position];
    if (ch === "'" || ch === '"') {
      return readString();
    }
    const match = /^(True|False|None|-?\d+(?:\.\d+)?)/.exec(text.slice(position));
    if (match === null) {
      return undefined;
    }
    position += match[0].length;
    if (match[0] === 'True') {
      return true;
    }
    if (match[0] === 'False') {
      return false;
    }
    if (match[0] === 'None') {
      return null;
    }
    return Number(match[0]);
  };

  if (!expect('{')) {
    return undefined;
  }
  const result: Record<string, Scalar> = {};
  if (expect('}')) {
    skipSpace();
    return position === text.length ? result : undefined;
  }
  for (;;) {
    const key = readString();
    if (key === undefined || !expect(':')) {
      return undefined;
    }
    const value = readScalar();
    if (value === undefined) {
      return undefined;
    }
    result[key] = value;
    if (expect(',')) {
      if (expect('}')) {
        break;
      }
      continue;
    }
    if (expect('}')) {
      break;
    }
    return undefined;
  }
  skipSpace();
  return position === text.length ? result : undefined;
}
