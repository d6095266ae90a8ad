/**
 * Colour, only where a person reads it: stdout/stderr on a terminal, unless NO_COLOR is set
 * (no-color.org) or TERM=dumb; FORCE_COLOR forces it on. Scripts and pipes get plain text.
 */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

export function colorWanted(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>, flag: boolean | undefined): boolean {
  if (flag === false) {
    return false;
  }
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') {
    return true;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    return false;
  }
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string): string => (enabled && text !== '' ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    magenta: wrap(35, 39),
    cyan: wrap(36, 39),
  };
}

/** A job's state or result, coloured by what it means. */
export function paintState(style: Style, word: string): string {
  switch (word) {
    case 'COMPLETED':
      return style.green(word);
    case 'FAILED':
      return style.red(word);
    case 'CANCELED':
    case 'TIMEOUT':
      return style.yellow(word);
    case 'RUN':
      return style.blue(word);
    case 'CLEANUP':
      return style.cyan(word);
    default:
      return style.dim(word);
  }
}

/** Visible width: escape sequences take no room. */
export function visibleLength(text: string): number {
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}
