/** Unix user names for the userids Flux reports (external jobs are owned by whoever submitted them). */
import fs from 'node:fs';
import os from 'node:os';

let table: Map<number, string> | null = null;

function passwd(): Map<number, string> {
  if (table === null) {
    table = new Map();
    try {
      for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , uid] = line.split(':');
        if (name !== undefined && name !== '' && uid !== undefined && /^\d+$/.test(uid)) {
          table.set(Number(uid), name);
        }
      }
    } catch {
      // No passwd file (a minimal container): ids stay numeric.
    }
  }
  return table;
}

export function userName(userid: number): string {
  if (userid === process.getuid?.()) {
    try {
      return os.userInfo().username;
    } catch {
      // fall through to the table
    }
  }
  return passwd().get(userid) ?? String(userid);
}
