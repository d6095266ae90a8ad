/** The flux-core 0.88 recordings kept as fixtures (test/fake-flux/transcripts), for unit tests. */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/version.js';

export interface RecordedStep {
  cmd: string;
  rc: number;
  stdout: string;
  stderr: string;
  stdin?: string;
}

export interface ReportItem {
  section: string;
  [key: string]: unknown;
}

const DIR = path.join(projectRoot, 'test', 'fake-flux', 'transcripts');

function load<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as T;
}

/** One recorded step, by its exact command line. */
export function recorded(file: string, cmd: string, nth = 0): RecordedStep {
  const matches = load<{ steps: RecordedStep[] }>(file).steps.filter((step) => step.cmd === cmd);
  const step = matches[nth];
  if (step === undefined) {
    throw new Error(`no step '${cmd}' in ${file}`);
  }
  return step;
}

/** The jobspec `flux submit --dry-run <options>` printed. */
export function dryRun(options: string): Record<string, unknown> {
  const step = recorded('01-dry-run-jobspecs.json', `flux submit --dry-run ${options}`);
  return JSON.parse(step.stdout) as Record<string, unknown>;
}

/** Lines printed by the Python API probe, by section. */
export function report(section: string): ReportItem[] {
  return load<{ report: ReportItem[] }>('21-python-bindings.json').report.filter((item) => item.section === section);
}
