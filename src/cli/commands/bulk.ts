/**
 * Cancel, hold or release many jobs in one request (`/v1/jobs/bulk`): the jobs by id, or the
 * jobs filter options choose. One line per job (what happened, or on stderr why not); with
 * --dry-run, what would happen, nothing changed. The exit code is the worst outcome: 4 when a
 * job was not found (or is not yours), 1 when one was refused, 0 when all went through.
 */
import { bulkAction, type BulkAction } from '../../client/job-control.js';
import { isEmptySelection, type JobSelection } from '../../client/selection.js';
import type { BulkAnswer, WireId } from '../../client/types.js';
import { stringifyJson } from '../../lib/json.js';
import { CliExit, EXIT, type ClientContext } from './context.js';
import { showId } from './job-words.js';

/** What each action did to a job, did not need to do, or would do. */
const WORDS: Record<BulkAction, { changed: string; unchanged: string; would: string }> = {
  cancel: { changed: 'cancel requested', unchanged: 'cancel requested', would: 'would be canceled' },
  hold: { changed: 'held', unchanged: 'already held', would: 'would be held' },
  release: { changed: 'released', unchanged: 'not held', would: 'would be released' },
};

export interface BulkOptions {
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** The exit code one failed job earns. */
function failureCode(code: string): number {
  return code === 'RESOURCE_NOT_FOUND' ? EXIT.notFound : EXIT.failed;
}

/** One line saying what happened to a job (or, on stderr, why not); returns the exit code it earns. */
export function reportJob(context: ClientContext, action: BulkAction, id: WireId, outcome: { ok: boolean; changed: boolean; error?: { code: string; message: string } }, dryRun: boolean): number {
  const name = showId(id, context.asciiIds);
  if (!outcome.ok) {
    context.io.stderr.write(`jobgate: ${name}: ${outcome.error?.message ?? 'refused'}\n`);
    return failureCode(outcome.error?.code ?? '');
  }
  const words = WORDS[action];
  context.io.stdout.write(`${name} ${dryRun ? words.would : outcome.changed ? words.changed : words.unchanged}\n`);
  return EXIT.ok;
}

function report(context: ClientContext, answer: BulkAnswer): number {
  const action = answer.action as BulkAction;
  let code: number = EXIT.ok;
  for (const item of answer.results) {
    code = Math.max(code, reportJob(context, action, item.id, item, answer.dry_run));
  }
  const { summary } = answer;
  if (summary.requested === 0) {
    context.io.stderr.write('jobgate: no job matches (or none the action applies to)\n');
  } else if (context.io.stderr.isTTY === true) {
    context.io.stderr.write(`${context.err.dim(`${summary.succeeded} of ${summary.requested} ${answer.dry_run ? 'would succeed (dry run: nothing changed)' : 'done'}`)}\n`);
  }
  if (summary.more) {
    context.io.stderr.write(`jobgate: more jobs match than one request acts on: run it again${answer.dry_run ? ' (without --dry-run)' : ''}\n`);
  }
  return code;
}

/** Runs the action over the ids, or (with none) over the selection. */
export async function runBulk(context: ClientContext, action: BulkAction, ids: bigint[], selection: JobSelection, options: BulkOptions): Promise<number> {
  const empty = isEmptySelection(selection);
  if (ids.length > 0 && !empty) {
    throw new CliExit(EXIT.usage, 'give job ids or filter options, not both');
  }
  if (ids.length === 0 && empty) {
    throw new CliExit(EXIT.usage, 'say which jobs: their ids, or filter options such as --state pending or --tag NAME');
  }
  const answer = await bulkAction(context.client, { action, ...(ids.length > 0 ? { ids } : { selection }), reason: options.reason, dryRun: options.dryRun });
  if (options.json === true) {
    context.io.stdout.write(`${stringifyJson(answer, 2)}\n`);
    return answer.results.reduce((worst, item) => Math.max(worst, item.ok ? EXIT.ok : failureCode(item.error?.code ?? '')), EXIT.ok as number);
  }
  return report(context, answer);
}
