/**
 * The double for a test: an instance in the test's own process, its broker socket, and the
 * environment that makes jobgate (and anything it starts) use it: the fake `flux` first on
 * PATH and FLUX_URI pointing at the socket.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './root.js';
import { FakeFluxInstance, type FakeFluxOptions } from './instance.js';
import { FakeFluxServer } from './server.js';

export const FAKE_FLUX_BIN = path.join(ROOT, 'test', 'fake-flux', 'bin');
export const FAKE_FLUX = path.join(FAKE_FLUX_BIN, 'flux');

export interface FakeFlux {
  instance: FakeFluxInstance;
  server: FakeFluxServer;
  uri: string;
  /** PATH with the fake `flux` first, and FLUX_URI. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeFlux(options: Omit<FakeFluxOptions, 'rundir' | 'uri'> = {}): Promise<FakeFlux> {
  const rundir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-flux-'));
  const socketPath = path.join(rundir, 'local-0');
  const uri = `local://${socketPath}`;
  const instance = new FakeFluxInstance({ ...options, rundir, uri });
  const server = await FakeFluxServer.listen(instance, socketPath);
  return {
    instance,
    server,
    uri,
    env: { PATH: `${FAKE_FLUX_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, FLUX_URI: uri },
    close: async () => {
      instance.close();
      await server.close();
      fs.rmSync(rundir, { recursive: true, force: true });
    },
  };
}
