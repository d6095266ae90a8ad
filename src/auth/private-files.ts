/**
 * The store holds password hashes and the ids of live tokens; the signing key file signs them.
 * Both are kept readable by jobgate's own user only, whatever the umask was when they were made.
 */
import fs from 'node:fs';
import path from 'node:path';

const STORE_FILES = ['jobgate.db', 'jobgate.db-wal', 'jobgate.db-shm'];

export function keepStorePrivate(dataDir: string): void {
  for (const name of STORE_FILES) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file) && (fs.statSync(file).mode & 0o077) !== 0) {
      fs.chmodSync(file, 0o600);
    }
  }
}
