/** `npm run bench`: prints the figures of the local executor on this machine (`npm run bench -- table`: only the job table's draws). */
import { benchLocal } from './local.js';
import { agent } from './lib.js';
import { benchTable } from './table.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const figures = process.argv[2] === 'table' ? await benchTable(log) : await benchLocal(log);
const width = Math.max(...figures.map((figure) => figure.name.length));
log('');
for (const figure of figures) {
  log(`${figure.name.padEnd(width)}  ${figure.value}${figure.target ? `   [target ${figure.target}]` : ''}`);
}
agent.destroy();
