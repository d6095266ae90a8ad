/**
 * Where `jobgate login` keeps access tokens: `$XDG_CONFIG_HOME/jobgate/credentials.json`
 * (default `~/.config/jobgate`), one entry per server, readable by the user only (0600 in a
 * 0700 folder), plus the server last logged in to, used when no URL is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface StoredLogin {
  token: string;
  user: string;
  /** Seconds since the epoch, when the server said. */
  expiresAt?: number;
}

interface CredentialsFile {
  /** The server of the last `jobgate login`. */
  default?: string;
  servers: Record<string, StoredLogin>;
}

export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'jobgate');
}

/** One spelling per server: `http://Host:5000/` and `http://host:5000` are the same entry. */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

export class CredentialStore {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'credentials.json');
  }

  private read(): CredentialsFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { servers: {} };
      }
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { ...(parsed.default === undefined ? {} : { default: parsed.default }), servers: parsed.servers ?? {} };
  }

  private write(content: CredentialsFile): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    // Written aside and renamed: a crash never leaves half a file, and the mode is set before any token is in it.
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, this.file);
  }

  get(url: string): StoredLogin | undefined {
    return this.read().servers[serverKey(url)];
  }

  defaultServer(): string | undefined {
    return this.read().default;
  }

  save(url: string, login: StoredLogin): void {
    const content = this.read();
    const key = serverKey(url);
    content.servers[key] = login;
    content.default = key;
    this.write(content);
  }

  remove(url: string): boolean {
    const content = this.read();
    const key = serverKey(url);
    if (content.servers[key] === undefined) {
      return false;
    }
    delete content.servers[key];
    this.write(content);
    return true;
  }
}
