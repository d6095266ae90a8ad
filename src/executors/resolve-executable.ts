/**
 * Finds a program as a POSIX shell would, on a given PATH from a given directory: the program a
 * local task will run (so a command that cannot start is reported the way Flux reports it,
 * exception `exec`, exit 127, instead of surfacing as a shell message), and the backend's own
 * commands (srun's full path for batch scripts).
 */
import fs from 'node:fs';
import path from 'node:path';

export type Resolution = { ok: true; file: string } | { ok: false; code: 126 | 127; reason: string };

function check(file: string): Resolution {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { ok: false, code: 127, reason: 'No such file or directory' };
  }
  if (stat.isDirectory()) {
    return { ok: false, code: 126, reason: 'Is a directory' };
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return { ok: false, code: 126, reason: 'Permission denied' };
  }
  return { ok: true, file };
}

export function resolveExecutable(command: string, searchPath: string, cwd: string): Resolution {
  if (command === '') {
    return { ok: false, code: 127, reason: 'No such file or directory' };
  }
  if (command.includes('/')) {
    return check(path.resolve(cwd, command));
  }
  let denied: Resolution | null = null;
  for (const dir of searchPath.split(':')) {
    const candidate = check(path.join(dir === '' ? cwd : path.resolve(cwd, dir), command));
    if (candidate.ok) {
      return candidate;
    }
    if (candidate.code === 126 && candidate.reason === 'Permission denied') {
      denied = candidate;
    }
  }
  return denied ?? { ok: false, code: 127, reason: 'No such file or directory' };
}
