/** jobgate as a real child process (`bin/jobgate serve`), for crash, signal and exit tests. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import supertest from 'supertest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const JOBGATE_BIN = path.join(root, 'bin', 'jobgate');

export interface ChildServer {
  process: ResultPromise;
  url: string;
  request: ReturnType<typeof supertest>;
  stderr: () => string;
}

export async function startChildServer(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ChildServer> {
  const child = execa('node', [JOBGATE_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    env: { JOBGATE_KILL_GRACE: '1', ...env },
    reject: false,
    buffer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jobgate did not start: ${stderr}`)), 20000);
    child.stderr?.on('data', (part: Buffer) => {
      stderr += part.toString();
      const match = /jobgate (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void child.then(() => reject(new Error(`jobgate exited early: ${stderr}`)));
  });
  return { process: child, url, request: supertest(url), stderr: () => stderr };
}
