/**
 * The instance's size (its number of broker ranks, one per node): `flux getattr size` prints
 * it, `1` under `flux start --test-size=1`, `2` with `--test-size=2` (recordings 14, 15).
 */
import { runCommand } from '../process.js';

/** The size, or null when Flux did not say (the caller keeps what it knew). */
export async function readInstanceSize(flux: string, env: Record<string, string>): Promise<number | null> {
  const result = await runCommand(flux, ['getattr', 'size'], { env, timeoutMs: 10000 });
  const text = result.stdout.trim();
  return result.exitCode === 0 && /^[1-9]\d*$/.test(text) ? Number(text) : null;
}
