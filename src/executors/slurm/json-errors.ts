/**
 * `squeue --json` and `sinfo --json` exit 0 even when slurmctld cannot be reached: they print
 * an empty list with an `errors` array (verified: `{"errors":[{"error":"Unspecified error",
 * "source":"slurm_load_jobs"...}],"jobs":[]}` after about 9 s). Read as it stands, that empty
 * list would say every job is gone; such an answer is refused instead.
 */
export class SlurmAnswerError extends Error {}

/** Throws when a Slurm JSON answer carries errors: its lists are then not the truth. */
export function refuseErrors(program: string, parsed: unknown): void {
  const errors = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).errors : undefined;
  if (!Array.isArray(errors) || errors.length === 0) {
    return;
  }
  const messages = errors.map((item: unknown) => {
    const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    return [entry.description, entry.error].filter((part): part is string => typeof part === 'string' && part !== '').join(': ') || 'an error';
  });
  throw new SlurmAnswerError(`${program} could not read from slurmctld: ${messages.join('; ')}`);
}
