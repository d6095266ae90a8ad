/**
 * The key that signs access tokens. It is the server's alone: clients hold FLUX_SECRET_KEY
 * (which only signs their token *requests*), so holding it never lets anyone mint an access
 * token. Given in JOBGATE_TOKEN_SIGNING_KEY, or generated once and kept in the data directory
 * (mode 0600) so tokens survive restarts and every jobgate on that directory agrees on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const SIGNING_KEY_FILE = 'token-signing.key';

export function loadSigningKey(dataDir: string, given: string | null): Uint8Array {
  if (given !== null) {
    return new TextEncoder().encode(given);
  }
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  try {
    // 'wx': only the first start creates it; a concurrent creator loses and reads the winner's key.
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it; a key others can read lets them mint tokens.
    fs.chmodSync(file, 0o600);
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  if (text.length < 32) {
    throw new Error(`${file} holds no usable key (at least 32 characters); remove it to have a new one generated`);
  }
  return new TextEncoder().encode(text);
}
