/**
 * One jobgate per data directory: two would run the same queued jobs twice. The lock file
 * holds the owner's pid; a lock left by a process that is gone is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories this process holds (a lock with our own pid is not stale). */
const held = new Set<string>();

export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'jobgate.lock');
  if (held.has(file)) {
    throw new Error(`${dataDir} is in use by another jobgate (pid ${process.pid})`);
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      held.add(file);
      return () => {
        held.delete(file);
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) {
            fs.rmSync(file);
          }
        } catch {
          // already gone
        }
      };
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new Error(`${dataDir} is in use by another jobgate (pid ${owner})`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot lock ${dataDir}`);
}
