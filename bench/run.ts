/**
 * `npm run bench`: prints the figures of the local executor, of the job table's draws, and of the
 * listing and export over 100,000 stored jobs, and of usage sampling with 200 running jobs, on
 * this machine. `npm run bench -- listing` (or `local`, `table`, `usage`) runs one part.
 */
import { benchLocal, type Figure } from './local.js';
import { benchListing } from './listing.js';
import { agent } from './lib.js';
import { benchTable } from './table.js';
import { benchUsage } from './usage.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const parts: Record<string, (write: (line: string) => void) => Promise<Figure[]>> = { local: benchLocal, table: benchTable, listing: benchListing, usage: benchUsage };
const chosen = process.argv.slice(2).filter((name) => name in parts);
const figures: Figure[] = [];
for (const name of chosen.length > 0 ? chosen : Object.keys(parts)) {
  figures.push(...(await (parts[name] ?? benchLocal)(log)));
}
const width = Math.max(...figures.map((figure) => figure.name.length));
log('');
for (const figure of figures) {
  log(`${figure.name.padEnd(width)}  ${figure.value}${figure.target ? `   [target ${figure.target}]` : ''}`);
}
agent.destroy();
