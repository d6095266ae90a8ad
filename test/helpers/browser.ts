/**
 * A real browser for the end-to-end tests: Debian's Chromium driven by playwright-core (no
 * browser download). One browser per suite; each test opens its own context (own cookies).
 * Every page is watched for script errors, failed loads and Content-Security-Policy violations,
 * which the tests then require to be absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Chromium is (Debian's package); JOBGATE_CHROMIUM overrides it. */
export const CHROMIUM = process.env.JOBGATE_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots for people to look at (git-ignored). */
export const ARTIFACTS = path.resolve('test-artifacts', 'screenshots');
export const VIEWPORT = { width: 1280, height: 800 };

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (or set JOBGATE_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions, CSP violations and failed loads of scripts, styles or API calls. */
  problems: string[];
  close(): Promise<void>;
}

export async function openPage(browser: Browser, options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  // playwright-core starts each context with a fresh profile, so no cookie or cache leaks between tests.
  const context = await browser.newContext({ viewport: options.viewport ?? VIEWPORT, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Failed loads are judged below by their kind: a page answering 400 to a refused form is fine.
    if ((message.type() === 'error' || message.type() === 'warning') && !message.text().startsWith('Failed to load resource')) {
      problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      problems.push(`${response.status()} for ${response.request().resourceType()} ${response.url()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // The CSP reports violations to the page as events, even when the console says nothing.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));",
  });
  return { context, page, problems, close: () => context.close() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
