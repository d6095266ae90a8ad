/**
 * `npm run test:reliability`: runs the reliability suite (ava, test/reliability/ava.config.js)
 * and then prints what it counted, summed over its files: requests sent, faults injected, jobs
 * checked, lost, duplicated, 5xx, hangs, and the load parts' figures. Exits non-zero when a
 * test failed or when any job was lost or duplicated or any unexpected 5xx or hang was seen.
 * Extra arguments go to ava (e.g. a file to run alone).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/version.js';
import type { Counts, TallyRecord } from './lib/tally.js';

function runAva(tallyFile: string, args: string[]): Promise<number> {
  const ava = path.join(projectRoot, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ava, '--config', path.join(projectRoot, 'test', 'reliability', 'ava.config.js'), ...args], {
      stdio: 'inherit',
      cwd: projectRoot,
      env: { ...process.env, JOBGATE_RELIABILITY_TALLY: tallyFile },
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
    child.once('error', (error) => {
      process.stderr.write(`test:reliability: cannot run ava: ${error.message}\n`);
      resolve(1);
    });
  });
}

function sum(records: TallyRecord[]): Counts {
  const total: Counts = { requests: 0, faults: 0, jobsChecked: 0, lost: 0, duplicated: 0, serverErrors: 0, refusedWhileDown: 0, hangs: 0 };
  for (const record of records) {
    for (const key of Object.keys(total) as (keyof Counts)[]) {
      total[key] += record.counts[key];
    }
  }
  return total;
}

function report(records: TallyRecord[], seconds: number): string {
  const total = sum(records);
  const number = (value: number): string => value.toLocaleString('en-US').padStart(10);
  const lines = [
    '',
    `reliability: ${records.length} test files reported, ${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`,
    `  requests sent    ${number(total.requests)}`,
    `  faults injected  ${number(total.faults)}`,
    `  jobs checked     ${number(total.jobsChecked)}`,
    `  lost             ${number(total.lost)}`,
    `  duplicated       ${number(total.duplicated)}`,
    `  5xx              ${number(total.serverErrors)}   (besides: ${total.refusedWhileDown} × 503 with Retry-After during outages the suite caused: backend down, disk full)`,
    `  hangs            ${number(total.hangs)}`,
    process.env.SLURM_CONF
      ? `  real Slurm faults: included (SLURM_CONF=${process.env.SLURM_CONF})`
      : '  real Slurm faults: not part of this run (no SLURM_CONF; start test/slurm/cluster/start-slurm.sh as root and export it)',
  ];
  for (const record of records) {
    for (const figure of record.figures) {
      lines.push(`  ${figure.section}:`);
      for (const [name, value] of Object.entries(figure.values)) {
        lines.push(`      ${name}: ${value}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-reliability-'));
  const tallyFile = path.join(dir, 'tally.ndjson');
  fs.writeFileSync(tallyFile, '');
  const started = performance.now();
  try {
    const code = await runAva(tallyFile, process.argv.slice(2));
    const records = fs
      .readFileSync(tallyFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as TallyRecord);
    process.stdout.write(report(records, (performance.now() - started) / 1000));
    const total = sum(records);
    if (records.length === 0) {
      process.stderr.write('test:reliability: no test file reported its counts\n');
      return code === 0 ? 1 : code;
    }
    if (total.lost + total.duplicated + total.serverErrors + total.hangs > 0) {
      process.stderr.write('test:reliability: jobs lost or duplicated, 5xx answers or hangs were seen\n');
      return code === 0 ? 1 : code;
    }
    return code;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
