/** `npm run bench`: prints the figures of the local executor on this machine. */
import { benchLocal } from './local.js';
import { agent } from './lib.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const figures = await benchLocal(log);
const width = Math.max(...figures.map((figure) => figure.name.length));
log('');
for (const figure of figures) {
  log(`${figure.name.padEnd(width)}  ${figure.value}${figure.target ? `   [target ${figure.target}]` : ''}`);
}
agent.destroy();
