#!/usr/bin/env node
// Runs before `npm test`: the one system package the suite needs beyond Node is a browser for
// the end-to-end tests (Debian's chromium, driven by playwright-core; never a downloaded build).
// When it is missing and we may install packages (root with apt-get), install it, so `npm test`
// is all the set-up a fresh machine needs; otherwise say exactly what to install.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const chromium = process.env.JOBGATE_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(chromium)) {
  process.exit(0);
}
const packages = ['chromium', 'fonts-dejavu-core'];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
// A Chromium named by JOBGATE_CHROMIUM is the caller's to provide.
if (!isRoot || !hasApt || process.env.JOBGATE_CHROMIUM !== undefined) {
  process.stderr.write(
    `The browser tests need Chromium at ${chromium}. Install it (Debian/Ubuntu: sudo apt-get install -y ${packages.join(' ')}), ` +
      'or point JOBGATE_CHROMIUM at a Chromium binary, then run npm test again.\n',
  );
  process.exit(1);
}
process.stderr.write(`Chromium not found: installing ${packages.join(' ')} with apt-get (once)...\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
