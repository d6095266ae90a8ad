/**
 * What a submit must pass before anything is stored: the request's own rules (submit-spec.ts)
 * and the executor's limits. A refusal is a typed error saying which kind of problem it was;
 * the HTTP layer chooses how each kind is worded on the wire.
 */
import { AppError, type FieldError } from '../errors.js';
import type { Executor } from '../executors/types.js';
import type { ExecutorEvent } from '../model/executor-events.js';
import type { JobId } from '../model/job-id.js';
import { newJobRecord, type JobRecord, type JobSpec } from '../model/job.js';
import { buildSpec, type SpecContext, type SubmitInput } from './submit-spec.js';

/**
 * Why a submit was refused: no command at all, a request that breaks a rule (each problem
 * named in the details), or a job the backend itself refused (its reason is the message).
 */
type SubmitProblem = 'missing-command' | 'invalid' | 'backend-refused';

/** A refused submit: 400 VALIDATION_ERROR, with the problem kind for the wire formats. */
export class SubmitRefused extends AppError {
  constructor(
    readonly problem: SubmitProblem,
    details: FieldError[],
    message = 'Invalid submit request',
  ) {
    super(400, 'VALIDATION_ERROR', message, details);
  }
}

/** The JobSpec of a request the executor can run, or a SubmitRefused naming every problem. */
export function checkedSpec(input: SubmitInput, context: SpecContext, executor: Pick<Executor, 'check'>): JobSpec {
  const built = buildSpec(input, context);
  if ('errors' in built) {
    throw new SubmitRefused(built.missingCommand === true ? 'missing-command' : 'invalid', built.errors);
  }
  const problems = executor.check(built.spec);
  if (problems.length > 0) {
    throw new SubmitRefused('invalid', problems);
  }
  return built.spec;
}

/** The record of a job submitted by other means (seen in the backend's own event stream). */
export function externalJobRecord(id: JobId, t: number, external: Extract<ExecutorEvent, { name: 'submit' }>['external'], executor: string): JobRecord {
  const spec: JobSpec = {
    command: external.command,
    name: external.name,
    numTasks: external.ntasks,
    coresPerTask: Math.max(1, Math.floor(external.ncores / Math.max(1, external.ntasks))),
    gpusPerTask: 0,
    numNodes: null,
    exclusive: false,
    workdir: external.cwd,
    runtime: external.duration,
    envars: {},
    optionFlags: {},
    tty: false,
    urgency: external.urgency,
    queue: null,
  };
  const job = newJobRecord({ id, owner: external.owner, userid: external.userid, spec, executor, t: external.t_submit || t });
  return { ...job, ncores: external.ncores };
}
