/**
 * The launch decision of a job step: srun is started, and jobgate waits until srun has launched
 * the step (it names it), found that the step must wait in Slurm, or given up — at most
 * `decisionMs`. A submit that can start at once answers only then, so a step Slurm refuses
 * before anything ran is a 400 with Slurm's message (a 503 when the allocation or the
 * controller is gone) rather than a job that fails later.
 */
import { startStreaming, type ExitInfo, type StreamingProcess } from '../process.js';
import { ExecutorError } from '../types.js';
import type { Allocation } from './allocation.js';
import { splitEnvironment, srunArgs } from './commands.js';
import { SrunStderr } from './srun-stderr.js';
import type { StepJob } from './step-job.js';

export interface StepLaunchSetup {
  srunPath: string;
  allocation: Allocation;
  slurmSettings: Record<string, string>;
  /** Longest wait for srun's decision (then the job counts as waiting in Slurm). */
  decisionMs?: number;
}

/** What the executor hears while srun starts the step. */
export interface StepLaunchEvents {
  /** srun runs: from now on the step's CPUs are taken. */
  spawned(): void;
  /** srun created the step: `stepId` ("JOBID.STEP") is what scancel needs. */
  launching(stepId: string): void;
  /** Slurm took the step (launching it, or making it wait): the job is SCHED. */
  accepted(): void;
  /** The tasks run. */
  started(): void;
  /** Slurm ended the step at its time limit. */
  timeLimit(): void;
}

export type StepLaunch = { refusal: ExecutorError } | { exited: Promise<ExitInfo> };

/** Why srun ended without launching the step: its errors, or how it exited. */
export function neverLaunchedNote(stderr: SrunStderr, exit: ExitInfo): string {
  return stderr.errors.join('; ') || `srun exited with ${exit.signal !== null ? `signal ${exit.signal}` : `status ${exit.code ?? '?'}`} before launching the step`;
}

/** A refusal the client can fix (400), or one that says nothing can run now (503: allocation gone, controller away). */
function refusalFor(note: string): ExecutorError {
  const unavailable = /Unable to contact|Connection refused|could not start|has expired|Unable to confirm allocation|Invalid job id/i.test(note);
  return new ExecutorError(unavailable ? 'unavailable' : 'invalid', note);
}

/** Starts srun for `job` and resolves with srun's decision: refused before anything ran, or accepted (then `exited` tells its end). */
export async function launchStep(job: StepJob, setup: StepLaunchSetup, events: StepLaunchEvents): Promise<StepLaunch> {
  let decide: () => void = () => undefined;
  const decided = new Promise<void>((resolve) => {
    decide = resolve;
  });
  job.stderr = new SrunStderr({
    launching: (stepId) => {
      events.launching(stepId);
      events.accepted();
      decide();
    },
    started: () => events.started(),
    waiting: () => {
      events.accepted();
      decide();
    },
    timeLimit: () => events.timeLimit(),
  });
  const env = splitEnvironment(job.env, setup.slurmSettings);
  let srun: StreamingProcess;
  try {
    srun = startStreaming(setup.srunPath, srunArgs(job.spec, setup.allocation, env.onCommandLine), {
      env: env.process,
      onStdout: (chunk) => {
        events.started();
        job.output.append('stdout', chunk);
      },
      onStderr: (chunk) => {
        const kept = job.stderr.push(chunk);
        if (kept.length > 0) {
          if (job.stderr.stepId !== null) {
            events.started();
          }
          job.output.append('stderr', kept);
        }
      },
    });
  } catch (error: unknown) {
    return { refusal: new ExecutorError('unavailable', `srun: ${error instanceof Error ? error.message : String(error)}`) };
  }
  job.srun = srun;
  events.spawned();
  // An object, not a variable: TypeScript cannot see the callback assign a variable.
  const seen: { exit: ExitInfo | null } = { exit: null };
  void srun.exited.then((info) => {
    seen.exit = info;
    decide();
  });
  const cap = setTimeout(decide, setup.decisionMs ?? 2000);
  await decided;
  clearTimeout(cap);
  if (seen.exit !== null && job.stderr.stepId === null && !job.scheduled && job.ending === null) {
    return { refusal: refusalFor(neverLaunchedNote(job.stderr, seen.exit)) };
  }
  return { exited: srun.exited };
}
