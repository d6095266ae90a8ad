/**
 * The layers of docs/ARCHITECTURE.md hold: dependency-cruiser checks src/ against the rules in
 * .dependency-cruiser.cjs, and the same rules are shown to catch each kind of break on a small
 * tree made for the purpose (so a rule that silently matched nothing would fail here).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { makeTempDir } from './helpers/test-server.js';

const CONFIG = path.resolve('.dependency-cruiser.cjs');

async function violations(root: string, cwd: string): Promise<{ rule: string; from: string; to: string }[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const result = await cruise([root], { ...options, validate: true, outputType: 'json' }, { extensions: ['.ts', '.js'] });
    const output = JSON.parse(String(result.output)) as ICruiseResult;
    return output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    process.chdir(before);
  }
}

test.serial('src/ keeps every layering rule and has no import cycle', async (t) => {
  const found = await violations('src', process.cwd());
  t.deepEqual(found, [], found.map((v) => `${v.rule}: ${v.from} → ${v.to}`).join('\n'));
});

test.serial('each rule catches the break it names (type-only imports included)', async (t) => {
  const dir = makeTempDir();
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true }, include: ['src'] }));
  write('src/model/job.ts', "import type { Service } from '../domain/service.js';\nexport type Id = bigint;\nexport type S = Service;\n");
  write('src/domain/service.ts', "import type { Page } from '../http/page.js';\nimport type { Loop } from './loop.js';\nexport type Service = Page | Loop;\n");
  write('src/domain/loop.ts', "import type { Service } from './service.js';\nexport type Loop = { s: Service };\n");
  write('src/executors/run.ts', "import type { Service } from '../domain/service.js';\nexport type Run = Service;\n");
  write('src/db/rows.ts', "import type { Service } from '../domain/service.js';\nexport type Row = Service;\n");
  write('src/http/page.ts', "import type { Row } from '../db/rows.js';\nexport type Page = Row;\n");
  const rules = new Set((await violations('src', dir)).map((v) => v.rule));
  for (const rule of ['no-cycles', 'model-is-the-bottom', 'executors-not-domain', 'db-below-domain', 'domain-not-http', 'http-through-domain']) {
    t.true(rules.has(rule), `${rule} was not reported`);
  }
});
