/** A jobgate with the flux executor on the test double (the fake `flux` first on PATH). */
import type { Environment } from '../../../src/config/load.js';
import { startTestServer, waitFor, type TestServer } from '../../helpers/test-server.js';
import { startFakeFlux, type FakeFlux } from '../../fake-flux/start.js';
import type { FakeFluxOptions } from '../../fake-flux/instance.js';

export interface FluxJobgate {
  flux: FakeFlux;
  server: TestServer;
  close(): Promise<void>;
}

export async function startFluxJobgate(options: { fake?: Omit<FakeFluxOptions, 'rundir' | 'uri'>; env?: Environment; dataDir?: string; flux?: FakeFlux } = {}): Promise<FluxJobgate> {
  const flux = options.flux ?? (await startFakeFlux(options.fake));
  const server = await startTestServer({ env: { ...flux.env, ...options.env }, flags: { executor: 'flux' }, ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) });
  return {
    flux,
    server,
    close: async () => {
      await server.close();
      if (options.flux === undefined) {
        await flux.close();
      }
    },
  };
}

/** Waits until the job's detail satisfies `check`, and returns it. */
export async function waitForJob(server: TestServer, id: string, check: (job: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const response = await server.request.get(`/v1/jobs/${id}`);
    const job = response.body as Record<string, unknown>;
    return response.status === 200 && check(job) ? job : undefined;
  }, 20000, what);
}

/** The raw bytes of one stream of a job's output. */
export async function outputBytes(server: TestServer, id: string, stream: 'stdout' | 'stderr' | 'all' = 'all'): Promise<Buffer> {
  const response = await server.request.get(`/v1/jobs/${id}/output?format=raw&stream=${stream}`).buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  });
  return response.body as Buffer;
}
