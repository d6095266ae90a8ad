/**
 * The browser UI end to end, in headless Chromium against a real jobgate: submitting through
 * the form, the job table (search, sort, the view in the URL, bulk cancel), a job's live page,
 * cancelling, hostile names and output, the nodes page, and signing in and out with auth on.
 * Every page must run without a script error or a CSP violation. Each test saves 1280×800
 * screenshots of the pages it visits into test-artifacts/screenshots.
 */
import anyTest, { type TestFn } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, type WatchedPage } from '../helpers/browser.js';
import { startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from '../helpers/test-server.js';
import { addUser, bearer, fetchToken, startAuthServer } from '../helpers/auth.js';

interface Context {
  browser: Browser;
  server: TestServer;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context.browser = await launchBrowser();
  // Usage sampled twice a second, so the chart grows while a test watches.
  t.context.server = await startTestServer({ flags: { cores: '8' }, env: { JOBGATE_USAGE_INTERVAL: '0.5' } });
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
});

/**
 * Opens a page, runs the test body, then requires that no page error, failed load or CSP
 * violation happened (except those the test expects, matched by `expected`).
 */
async function withPage(
  t: { context: Context; deepEqual: (a: unknown, b: unknown, m?: string) => void },
  body: (watched: WatchedPage) => Promise<void>,
  options: { scheme?: 'light' | 'dark'; expected?: RegExp } = {},
): Promise<void> {
  const watched = await openPage(t.context.browser, { colorScheme: options.scheme ?? 'light' });
  try {
    await body(watched);
    const expected = options.expected;
    t.deepEqual(watched.problems.filter((problem) => expected === undefined || !expected.test(problem)), [], 'no script errors, failed loads or CSP violations');
  } finally {
    await watched.close();
  }
}

function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

async function rowNames(page: Page): Promise<string[]> {
  return page.locator('#jobs tbody td.col-name').allTextContents();
}

/** Waits until the table shows exactly these names, in this order. */
async function waitForNames(page: Page, expected: string[]): Promise<void> {
  await waitFor(async () => ((await rowNames(page)).join('\n') === expected.join('\n') ? true : undefined), 15000, `rows ${expected.join(', ')}`);
}

/** Waits until the table has written its view into the address (history.replaceState, no navigation). */
async function waitForView(page: Page, matches: (url: URL) => boolean): Promise<void> {
  await waitFor(() => (matches(new URL(page.url())) ? true : undefined), 15000, 'the view in the URL');
}

/** A global the page's scripts could have set (an injected script would). */
async function pageGlobal(page: Page, name: string): Promise<unknown> {
  return page.evaluate(`window[${JSON.stringify(name)}]`);
}

async function state(server: TestServer, id: string): Promise<Record<string, unknown>> {
  return (await server.request.get(`/v1/jobs/${id}`)).body as Record<string, unknown>;
}

test.serial('a job submitted through the form, with environment variables, shows its output and appears in the table', async (t) => {
  const { server } = t.context;
  const name = unique('form-env');
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs/submit`);
    await page.fill('#command', `sh -c 'echo "greeting=$GREETING/$TARGET junk=$JUNK"'`);
    await page.fill('#job_name', name);
    await page.fill('#runtime', '1m30s');
    await page.locator('#runtime-hint', { hasText: 'Limit: 1m30s (90 s)' }).waitFor();
    const rows = page.locator('#env-rows .env-row');
    await rows.nth(0).locator('input[name="env_name"]').fill('GREETING');
    await rows.nth(0).locator('input[name="env_value"]').fill('hello');
    await page.click('#add-env');
    await rows.nth(1).locator('input[name="env_name"]').fill('JUNK');
    await rows.nth(1).locator('input[name="env_value"]').fill('should not be sent');
    await page.click('#add-env');
    await rows.nth(2).locator('input[name="env_name"]').fill('TARGET');
    await rows.nth(2).locator('input[name="env_value"]').fill('world & <all>');
    await rows.nth(1).locator('.remove-env').click();
    t.is(await rows.count(), 2);
    await screenshot(page, 'submit');

    await Promise.all([page.waitForURL(/\/job\/\d+\?notice=submitted$/), page.click('#submit-form button[type="submit"]')]);
    const id = /\/job\/(\d+)/.exec(page.url())?.[1] ?? '';
    await page.locator('#output', { hasText: 'greeting=hello/world & <all> junk=' }).waitFor();
    t.regex(await page.locator('.notice').innerText(), /Job submitted/);
    t.is(await page.locator('dd[data-key="duration"]').innerText(), '1m30s');
    const environment = await page.locator('dl.env').innerText();
    t.regex(environment, /GREETING\s+hello/);
    t.regex(environment, /TARGET\s+world & <all>/);
    t.notRegex(environment, /JUNK/);
    await page.locator('#job-state .state-inactive').waitFor();
    await screenshot(page, 'job');

    // Resubmit: the form comes back prefilled with the same request.
    await Promise.all([page.waitForURL(/\/jobs\/submit\?from=\d+$/), page.locator('a.button', { hasText: 'Resubmit' }).click()]);
    t.is(await page.inputValue('#command'), `sh -c 'echo "greeting=$GREETING/$TARGET junk=$JUNK"'`);
    t.is(await page.inputValue('#runtime'), '1m30s');
    const names = page.locator('#env-rows input[name="env_name"]');
    t.deepEqual(await Promise.all([0, 1, 2].map((index) => names.nth(index).inputValue())), ['GREETING', 'TARGET', '']);
    t.is(await names.count(), 3);
    await Promise.all([page.waitForURL(/\/job\/\d+\?notice=submitted$/), page.click('#submit-form button[type="submit"]')]);
    t.not(/\/job\/(\d+)/.exec(page.url())?.[1], id);
    await page.locator('#output', { hasText: 'greeting=hello/world & <all> junk=' }).waitFor();

    await page.goto(`${server.url}/jobs`);
    // The id in the table is the exact 64-bit id (not a rounded JavaScript number).
    const row = page.locator('#jobs tbody tr').filter({ has: page.locator(`td.col-id a[href="/job/${id}"]`) });
    await row.waitFor();
    t.is(await row.locator('td.col-id').innerText(), id);
    t.is(await row.locator('td.col-name').innerText(), name);
    t.is(await page.locator('#jobs tbody td.col-name', { hasText: name }).count(), 2, 'the job and its resubmission');
    t.is(await row.locator('td.col-result').innerText(), 'COMPLETED');
    await screenshot(page, 'jobs');
  });
});

test.serial('the form shows what is wrong next to each field and keeps what was typed', async (t) => {
  const { server } = t.context;
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs/submit`);
    await page.fill('#command', 'echo kept');
    await page.fill('#runtime', 'soon');
    await page.locator('#env-rows input[name="env_name"]').first().fill('1BAD');
    await page.locator('#env-rows input[name="env_value"]').first().fill('x');
    await page.click('#submit-form button[type="submit"]');
    await page.locator('#runtime-errors', { hasText: "'soon' is not a duration" }).waitFor();
    t.is(await page.inputValue('#command'), 'echo kept');
    t.is(await page.getAttribute('#runtime', 'aria-invalid'), 'true');

    // Past the form's own checks, the server's: first the request itself, then what this machine can do.
    await page.fill('#runtime', '15m');
    await page.fill('#workdir', '/no/such/directory/for/jobgate');
    await page.click('#submit-form button[type="submit"]');
    await page.locator('.env-row.invalid .field-errors', { hasText: '1BAD: is not a valid environment variable name' }).waitFor();
    await page.locator('#env-rows input[name="env_name"]').first().fill('GOOD');
    await page.click('#submit-form button[type="submit"]');
    await page.locator('#workdir-errors').waitFor();
    t.is(await page.locator('.env-row.invalid').count(), 0);
    t.is(await page.locator('#env-rows input[name="env_name"]').first().inputValue(), 'GOOD');
    t.is(await page.inputValue('#runtime'), '15m');
    t.regex(page.url(), /\/jobs\/submit$/);
    await screenshot(page, 'submit-errors');
  });
});

test.serial('the table searches and sorts on the server, and its URL reproduces the view', async (t) => {
  const { server } = t.context;
  const tag = unique('sortme');
  await submitJob(server, { command: 'true', job_name: 'not-matching' });
  for (const suffix of ['bravo', 'alpha', 'charlie']) {
    await submitJob(server, { command: 'true', job_name: `${tag}-${suffix}` });
  }
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs`);
    await page.locator('#jobs tbody tr').first().waitFor();
    await page.fill('.dt-search input', tag);
    await waitFor(async () => {
      const names = await rowNames(page);
      return names.length === 3 && names.every((name) => name.startsWith(tag)) ? true : undefined;
    });
    t.regex(await page.locator('.dt-info').innerText(), /Jobs 1 to 3 of 3 \(of \d+ in all\)/);

    await page.click('#jobs thead th.col-name .dt-column-order');
    await waitForNames(page, [`${tag}-alpha`, `${tag}-bravo`, `${tag}-charlie`]);
    await waitForView(page, (url) => url.searchParams.get('sort') === 'name' && url.searchParams.get('dir') === 'asc');
    const ascending = await page.context().newPage();
    await ascending.goto(page.url());
    await waitForNames(ascending, [`${tag}-alpha`, `${tag}-bravo`, `${tag}-charlie`]);
    await ascending.close();
    await page.click('#jobs thead th.col-name .dt-column-order');
    await waitForNames(page, [`${tag}-charlie`, `${tag}-bravo`, `${tag}-alpha`]);
    await waitForView(page, (url) => url.searchParams.get('q') === tag && url.searchParams.get('sort') === 'name' && url.searchParams.get('dir') === 'desc');
    const shared = page.url();

    // A link reproduces the view: search, sort and filters.
    const second = await page.context().newPage();
    await second.goto(shared);
    await waitForNames(second, [`${tag}-charlie`, `${tag}-bravo`, `${tag}-alpha`]);
    t.is(await second.inputValue('.dt-search input'), tag);
    await second.close();

    // A filter that matches nothing, then back.
    await page.selectOption('#filter-result', 'FAILED');
    await page.locator('#jobs tbody td.dt-empty', { hasText: 'No job matches.' }).waitFor();
    t.is(new URL(page.url()).searchParams.get('result'), 'FAILED');
    await page.selectOption('#filter-result', '');
    await waitForNames(page, [`${tag}-charlie`, `${tag}-bravo`, `${tag}-alpha`]);
  });
});

test.serial('the table pages with correct totals and keeps its page while rows refresh', async (t) => {
  const { server } = t.context;
  const tag = unique('pages');
  for (let index = 0; index < 12; index += 1) {
    await submitJob(server, { command: 'true', job_name: `${tag}-${String(index).padStart(2, '0')}` });
  }
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs?q=${tag}&sort=name&dir=asc&len=10&page=2`);
    await waitForNames(page, [`${tag}-10`, `${tag}-11`]);
    t.regex(await page.locator('.dt-info').innerText(), /Jobs 11 to 12 of 12/);
    // A live refresh (every few seconds) asks for the same page, sort and search again.
    const refresh = await page.waitForResponse((response) => response.url().includes('/v1/jobs/search'));
    const asked = new URL(refresh.url()).searchParams;
    t.is(asked.get('start'), '10');
    t.is(asked.get('length'), '10');
    t.is(asked.get('search[value]'), tag);
    await refresh.finished();
    t.deepEqual(await rowNames(page), [`${tag}-10`, `${tag}-11`]);
    t.regex(page.url(), /page=2/);
  });
});

test.serial('the job page shows output lines as they are written, and cancels the job with a POST', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: `sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; echo warn $i >&2; sleep 0.2; done'`, job_name: 'ticker' });
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/job/${id}`);
    await page.locator('#output', { hasText: 'tick 2' }).waitFor();
    // Lines keep arriving on the open page (no reload).
    await page.locator('#output', { hasText: 'tick 6' }).waitFor();
    t.is(await page.locator('#job-state').innerText(), 'RUN');
    t.true(await page.locator('#output .err', { hasText: 'warn 1' }).first().isVisible(), 'stderr is marked');
    // stdout alone, then stderr alone.
    await page.click('.segmented [data-view="stdout"]');
    await page.locator('#output', { hasText: 'tick 1' }).waitFor();
    t.notRegex(await page.locator('#output').innerText(), /warn/);
    await page.click('.segmented [data-view="stderr"]');
    await page.locator('#output', { hasText: 'warn 1' }).waitFor();
    t.notRegex(await page.locator('#output').innerText(), /tick/);
    t.is(await page.getAttribute('#download-output', 'href'), `/job/${id}/output.txt?stream=stderr`);
    await page.click('.segmented [data-view="all"]');
    await page.locator('#output', { hasText: 'tick 1' }).waitFor();
    await screenshot(page, 'job-running');

    await Promise.all([page.waitForURL(/notice=cancel-requested/), page.click('#cancel-form button')]);
    await page.locator('#job-result .result-canceled').waitFor();
    t.is(await page.locator('#job-state').innerText(), 'INACTIVE');
    t.true(await page.locator('#cancel-form').isHidden());
    t.is((await state(server, id)).result, 'CANCELED');
  });
});

test.serial('the job page draws its usage chart and the chart grows while the job runs; the table shows efficiency and peak memory', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: `sh -c 'i=0; while [ $i -lt 40 ]; do i=$((i+1)); sleep 0.2; done'`, job_name: 'charted' });
  await waitFor(async () => ((await state(server, id)).state === 'RUN' ? true : undefined));
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/job/${id}`);
    const chart = page.locator('#usage-chart');
    await chart.locator('canvas').waitFor();
    const points = async (): Promise<number> => Number((await chart.getAttribute('data-points')) ?? '0');
    const first = await points();
    t.true(first >= 1);
    // More samples arrive on the open page (no reload), and the chart redraws with them.
    await waitFor(async () => ((await points()) >= first + 2 ? true : undefined), 15000, 'the chart to grow');
    t.true(await chart.locator('.u-legend', { hasText: 'Cores used' }).isVisible());
    await screenshot(page, 'job-usage-chart');
    await waitForJobEnd(server, id);
    await page.locator('#usage-summary [data-usage="peak_memory"]', { hasText: /iB/ }).waitFor();
    await page.goto(`${server.url}/jobs?sort=cpu_efficiency&dir=asc`);
    const row = page.locator('#jobs tbody tr', { hasText: 'charted' });
    await row.waitFor();
    t.regex(await row.locator('td.col-cpu_efficiency').innerText(), /^\d+ %$/);
    t.regex(await row.locator('td.col-peak_memory').innerText(), /MiB$/);
    // The utilization page draws the allocation and the queue wait of the jobs started so far.
    await page.goto(`${server.url}/utilization`);
    await page.locator('#chart-cores canvas').waitFor();
    await page.locator('#chart-jobs canvas').waitFor();
    t.is(await page.getAttribute('#chart-cores', 'data-points'), '60');
    t.regex(await page.locator('#wait-summary [data-wait="count"]').innerText(), /^[1-9]\d*$/);
    await screenshot(page, 'utilization');
  });
});

test.serial('large output shows its last lines first, pages back on request, and can be copied and downloaded', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: `sh -c 'i=1; while [ $i -le 3000 ]; do echo "row $i"; i=$((i+1)); done'`, job_name: 'long-output' });
  await waitForJobEnd(server, id);
  await withPage(t, async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${server.url}/job/${id}`);
    await page.locator('#output', { hasText: 'row 3000' }).waitFor();
    let shown = await page.locator('#output').innerText();
    t.true(shown.startsWith('row 2001\n'), 'the last 1000 lines come first');
    t.false(shown.includes('row 2000\n'));
    await page.click('#load-earlier');
    await page.locator('#output', { hasText: 'row 1\n' }).waitFor();
    shown = await page.locator('#output').innerText();
    t.true(shown.startsWith('row 1\nrow 2\n'));
    t.is(shown.split('\n').filter(Boolean).length, 3000, 'every line once, in order');
    t.true(await page.locator('#load-earlier').isHidden());

    await page.click('#copy-output');
    await page.locator('#output-status', { hasText: 'Copied' }).waitFor();
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    t.true(copied.startsWith('row 1\n') && copied.trimEnd().endsWith('row 3000'));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-output')]);
    t.is(download.suggestedFilename(), `job-${id}-all.txt`);
    const saved = await download.path();
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(saved, 'utf8');
    t.is(text.split('\n').length, 3001);
    t.true(text.startsWith('row 1\n'));
  });
});

test.serial('GET /job/{id}/cancel only asks; the confirmation form cancels', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: 'sleep 60', job_name: 'confirm-me' });
  await waitFor(async () => ((await state(server, id)).state === 'RUN' ? true : undefined));
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/job/${id}/cancel`);
    await page.locator('h1', { hasText: `Cancel job ${id}?` }).waitFor();
    t.is((await state(server, id)).state, 'RUN', 'visiting the page changed nothing');
    await screenshot(page, 'cancel-confirm');
    await Promise.all([page.waitForURL(new RegExp(`/job/${id}\\?notice=cancel-requested$`)), page.click('form button.danger')]);
    await waitForJobEnd(server, id);
    t.is((await state(server, id)).result, 'CANCELED');
  });
});

test.serial('jobs selected in the table are cancelled together, after a confirmation that shows the dry run', async (t) => {
  const { server } = t.context;
  const tag = unique('bulk');
  const ids = [await submitJob(server, { command: 'sleep 60', job_name: `${tag}-1` }), await submitJob(server, { command: 'sleep 60', job_name: `${tag}-2` })];
  const endsFirst = await submitJob(server, { command: 'sleep 60', job_name: `${tag}-3` });
  const spare = await submitJob(server, { command: 'sleep 60', job_name: `${tag}-spare` });
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs?q=${tag}&sort=name&dir=asc`);
    for (const id of [...ids, endsFirst]) {
      await page.check(`#jobs input.row-select[data-id="${id}"]`);
    }
    await page.locator('#selected-count', { hasText: '3 jobs selected' }).waitFor();
    // One of them ends while selected: the dry run says so before anything happens.
    await server.request.post(`/v1/jobs/${endsFirst}/cancel`);
    await waitForJobEnd(server, endsFirst);
    await page.click('#cancel-selected');
    await page.locator('#bulk-dialog[open] #bulk-summary', { hasText: '2 jobs will be canceled.' }).waitFor();
    t.regex(await page.locator('#bulk-refusals').innerText(), /has already ended/);
    t.is(await page.locator('#bulk-confirm').innerText(), 'Cancel 2 jobs');
    t.is((await state(server, ids[0] ?? '')).state, 'RUN', 'nothing happens before the confirmation');
    await page.fill('#bulk-reason', 'wrong input');
    await screenshot(page, 'jobs-bulk-confirm');
    await page.click('#bulk-confirm');
    await page.locator('#bulk-status', { hasText: 'Cancel requested for 2 jobs. 1 job could not be canceled' }).waitFor();
    for (const id of ids) {
      const ended = await waitForJobEnd(server, id);
      t.is(ended.result, 'CANCELED');
      t.is((ended.exception as { note: string }).note, 'wrong input');
    }
    t.is((await state(server, spare)).state, 'RUN', 'the job not selected still runs');
    await page.locator(`#jobs tr:has(input.row-select[data-id="${ids[0] ?? ''}"]) .result-canceled`).waitFor();

    // Backing out of the confirmation changes nothing.
    await page.check(`#jobs input.row-select[data-id="${spare}"]`);
    await page.click('#cancel-selected');
    await page.click('#bulk-back');
    t.is((await state(server, spare)).state, 'RUN');
  });
  await server.request.post(`/v1/jobs/${spare}/cancel`);
  await waitForJobEnd(server, spare);
});

test.serial('selected jobs are held and released together; the table shows tags, filters by tag and hold, and exports the view', async (t) => {
  const { server } = t.context;
  const tag = unique('hold');
  // The blocker takes every core: the other jobs wait, so they can be held.
  const blocker = await submitJob(server, { command: 'sleep 60', job_name: `${tag}-blocker`, cores_per_task: 8 });
  await waitFor(async () => ((await state(server, blocker)).state === 'RUN' ? true : undefined));
  const waiting = [await submitJob(server, { command: 'true', job_name: `${tag}-a` }), await submitJob(server, { command: 'true', job_name: `${tag}-b` })];
  for (const id of [blocker, ...waiting]) {
    await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: [`batch:${tag}`] });
  }
  await server.request.post(`/v1/jobs/${waiting[0] ?? ''}/tags`).send({ tags: ['<b>bold</b>'] });
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/jobs?tag=${encodeURIComponent(`batch:${tag}`)}&sort=name&dir=asc`);
    await waitForNames(page, [`${tag}-a`, `${tag}-b`, `${tag}-blocker`]);
    const first = page.locator('#jobs tbody tr').first();
    t.deepEqual(await first.locator('td.col-tags a.tag').allInnerTexts(), [`batch:${tag}`, '<b>bold</b>'], 'tags are text, never markup');
    for (const id of [blocker, ...waiting]) {
      await page.check(`#jobs input.row-select[data-id="${id}"]`);
    }
    await page.click('#hold-selected');
    await page.locator('#bulk-dialog[open] #bulk-summary', { hasText: '2 jobs will be held.' }).waitFor();
    t.regex(await page.locator('#bulk-refusals').innerText(), /is running: only pending jobs can be held/);
    await screenshot(page, 'jobs-hold-confirm');
    await page.click('#bulk-confirm');
    await page.locator('#bulk-status', { hasText: 'Held 2 jobs. 1 job could not be held' }).waitFor();
    for (const id of waiting) {
      t.like(await state(server, id), { held: true });
    }
    await page.locator('#jobs tbody tr .badge.held').nth(1).waitFor();

    // Only held jobs: the view (and the URL, and the export) follow the filter.
    await page.selectOption('#filter-held', 'true');
    await waitForNames(page, [`${tag}-a`, `${tag}-b`]);
    const url = new URL(page.url());
    t.is(url.searchParams.get('held'), 'true');
    t.is(url.searchParams.get('tag'), `batch:${tag}`);
    await screenshot(page, 'jobs-tags');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-view')]);
    t.regex(download.suggestedFilename(), /^jobs-\d{8}T\d{6}Z\.csv$/);
    const { readFile } = await import('node:fs/promises');
    const rows = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    t.is(rows[0], 'id,jobid,name,tags,owner,state,held,result,returncode,t_submit,runtime,ntasks,nnodes,cpu_efficiency,peak_memory');
    t.deepEqual(rows.slice(1).map((row) => row.split(',')[0]), waiting, 'the rows of the view, sorted as the table is');

    for (const id of waiting) {
      await page.check(`#jobs input.row-select[data-id="${id}"]`);
    }
    await page.click('#release-selected');
    await page.locator('#bulk-dialog[open] #bulk-summary', { hasText: '2 jobs will be released.' }).waitFor();
    t.true(await page.locator('#bulk-reason-field').isHidden(), 'a release takes no reason');
    await page.click('#bulk-confirm');
    await page.locator('#bulk-status', { hasText: 'Released 2 jobs.' }).waitFor();
    await page.locator('#jobs tbody td.dt-empty', { hasText: 'No job matches.' }).waitFor();
    t.like(await state(server, waiting[0] ?? ''), { held: false });

    // A tag is a link to the jobs carrying it.
    await page.selectOption('#filter-held', '');
    await Promise.all([page.waitForURL(/\/jobs\?tag=default%3A%3Cb%3Ebold%3C%2Fb%3E$/), page.locator('#jobs a.tag', { hasText: '<b>bold</b>' }).click()]);
    await waitForNames(page, [`${tag}-a`]);
    t.is(await page.inputValue('#filter-tag'), 'default:<b>bold</b>');
  });
  await server.request.post(`/v1/jobs/${blocker}/cancel`);
  for (const id of waiting) {
    await waitForJobEnd(server, id);
  }
});

test.serial('a job page shows and edits tags and metadata, and holds, reprioritizes and releases a pending job; its controls stop once it runs', async (t) => {
  const { server } = t.context;
  const blocker = await submitJob(server, { command: 'sleep 60', job_name: 'page-blocker', cores_per_task: 8 });
  await waitFor(async () => ((await state(server, blocker)).state === 'RUN' ? true : undefined));
  const id = await submitJob(server, { command: 'sleep 60', job_name: 'page-pending' });
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/job/${id}`);
    t.regex(await page.locator('#controls-note').innerText(), /Pending at urgency 16/);
    await page.fill('#hold-reason', 'waiting for <data>');
    await Promise.all([page.waitForURL(/notice=held#job-controls$/), page.click('#hold-form button')]);
    t.regex(await page.locator('#controls-note').innerText(), /^Held by \S+ at .+: waiting for <data>\. It starts once released\.$/);
    t.like(await state(server, id), { held: true, hold: { reason: 'waiting for <data>' } });
    await page.selectOption('#urgency', '31');
    await Promise.all([page.waitForURL(/notice=priority-set/), page.click('#priority-form button')]);
    t.like(await state(server, id), { held: false, urgency: 31 });
    await page.click('#hold-form button');
    await page.locator('#release-form button').waitFor();
    await Promise.all([page.waitForURL(/notice=released/), page.click('#release-form button')]);
    t.like(await state(server, id), { held: false, urgency: 31 }, 'released to the urgency it had');

    await page.fill('#new-tags', 'project:climate urgent');
    await Promise.all([page.waitForURL(/notice=tags-added#job-labels$/), page.click('#tags-form button')]);
    t.deepEqual(await page.locator('#tag-list .tag a').allInnerTexts(), ['urgent', 'project:climate']);
    await Promise.all([page.waitForURL(/notice=tag-removed/), page.click('#tag-list button[aria-label="Remove tag urgent"]')]);
    t.deepEqual(await page.locator('#tag-list .tag a').allInnerTexts(), ['project:climate']);
    await page.fill('#new-tags', 'bad type!:x');
    await page.click('#tags-form button');
    await page.locator('#tags-errors', { hasText: 'a tag type is' }).waitFor();
    t.is(await page.inputValue('#new-tags'), 'bad type!:x', 'what was typed stays');

    await page.fill('#meta-key', 'run');
    await page.fill('#meta-value', '7 <i>');
    await Promise.all([page.waitForURL(/notice=metadata-set/), page.click('#metadata-form button')]);
    t.is(await page.locator('#metadata-list dd span.mono').first().innerText(), '7 <i>');
    await page.fill('#meta-key', 'bad key!');
    await page.fill('#meta-value', 'x');
    await page.click('#metadata-form button');
    await page.locator('#metadata-errors', { hasText: 'a metadata key is' }).waitFor();
    t.is(await page.inputValue('#meta-value'), 'x');
    await screenshot(page, 'job-manage');
    await Promise.all([page.waitForURL(/notice=metadata-removed/), page.click('#metadata-list button[aria-label="Remove run"]')]);
    t.is(await page.locator('#metadata-list').count(), 0);
    t.deepEqual((await state(server, id)).metadata, {});

    // It starts while the page is open: the controls turn off, saying why.
    await server.request.post(`/v1/jobs/${blocker}/cancel`);
    await page.locator('#hold-form button[disabled]').waitFor();
    t.regex(await page.locator('#controls-note').innerText(), /The job is running: only pending jobs can be held/);
    t.true(await page.locator('#priority-form select').isDisabled());
    await screenshot(page, 'job-controls-disabled');
  });
  await server.request.post(`/v1/jobs/${id}/cancel`);
  await waitForJobEnd(server, id);
});

test.serial('templates: the list, a template\'s page, and a job submitted from its generated form, errors next to each parameter', async (t) => {
  const { server } = t.context;
  const created = await server.request.post('/v1/templates').send({
    name: 'greet-ui',
    description: 'Say hello <script>window.pwned=4</script>',
    parameters: {
      who: { type: 'string', required: true, max_length: 20, description: 'Whom to greet' },
      times: { type: 'integer', default: 1, minimum: 1, maximum: 3 },
      mood: { type: 'string', default: 'calm', enum: ['calm', 'happy'] },
      loud: { type: 'boolean', default: false },
    },
    job: { command: "sh -c 'for i in $(seq $0); do echo \"hello $1 ($2, loud=$3)\"; done' {{times}} '{{who}}' {{mood}} {{loud}}", job_name: 'greet-{{mood}}' },
  });
  t.is(created.status, 201);
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/templates`);
    const row = page.locator('#templates tbody tr', { hasText: 'greet-ui' });
    t.regex(await row.innerText(), /Say hello <script>window\.pwned=4<\/script>/);
    t.regex(await row.innerText(), /who, times, mood, loud/);
    await screenshot(page, 'templates');
    await Promise.all([page.waitForURL(/\/templates\/greet-ui$/), row.locator('a').first().click()]);
    t.is(await page.inputValue('#param-times'), '1');
    t.is(await page.inputValue('#param-mood'), 'calm');
    t.is(await page.getAttribute('#param-times', 'max'), '3');
    await screenshot(page, 'template');

    await page.fill('#param-times', '9');
    await page.click('#template-form button[type="submit"]');
    await page.locator('#param-who-errors', { hasText: 'required' }).waitFor();
    t.is(await page.locator('#param-times-errors').innerText(), 'must be at most 3');
    t.is(await page.inputValue('#param-times'), '9', 'what was typed stays');
    await screenshot(page, 'template-errors');

    await page.fill('#param-who', 'web & <you>');
    await page.fill('#param-times', '2');
    await page.selectOption('#param-mood', 'happy');
    await page.selectOption('#param-loud', 'true');
    await page.fill('#template-tags', 'from-ui');
    await Promise.all([page.waitForURL(/\/job\/\d+\?notice=submitted$/), page.click('#template-form button[type="submit"]')]);
    await page.locator('#output', { hasText: 'hello web & <you> (happy, loud=true)\nhello web & <you> (happy, loud=true)' }).waitFor();
    t.is(await page.locator('#job-name').innerText(), 'greet-happy');
    t.deepEqual(await page.locator('#tag-list .tag a').allInnerTexts(), ['from-ui', 'template:greet-ui']);
    t.is(await pageGlobal(page, 'pwned'), undefined);
  });
});

test.serial('hostile job names and output are shown as text, never run', async (t) => {
  const { server } = t.context;
  const name = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">`;
  const printed = `<script>window.pwned=3</script>\u001b[31mred\u001b[0m plain \u001b]0;title\u0007\u001b[2Kcleared \u0007bell \\377\\376 bytes\\n`;
  const id = await submitJob(server, { command: `printf '${printed.replaceAll("'", "'\\''")}'`, job_name: name });
  await waitForJobEnd(server, id);
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/job/${id}`);
    await page.locator('#output', { hasText: 'bytes' }).waitFor();
    t.is(await page.locator('#job-name').innerText(), name);
    const shown = await page.locator('#output').innerText();
    t.true(shown.includes('<script>window.pwned=3</script>'), 'markup in the output is text');
    t.false(shown.includes('\u001b'), 'no raw escape characters');
    t.false(shown.includes('title'), 'terminal title sequences are dropped');
    t.true(shown.includes('red plain cleared ^Gbell \ufffd\ufffd bytes'), shown);
    t.is(await page.locator('#output span.ctl').innerText(), '^G');
    t.is(await page.locator('#output span.a-fg1').innerText(), 'red');
    t.is(await page.locator('#output script, #output img').count(), 0);
    t.is(await pageGlobal(page, 'pwned'), undefined);
    await screenshot(page, 'job-hostile');

    await page.goto(`${server.url}/jobs?q=${encodeURIComponent('window.pwned')}`);
    await page.locator('#jobs tbody td.col-name', { hasText: name }).waitFor();
    t.is(await page.locator('#jobs tbody script, #jobs tbody img').count(), 0);
    t.is(await pageGlobal(page, 'pwned'), undefined);
  });
});

test.serial('the nodes page shows cores, busy and free, and the jobs on each node', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: 'sleep 60', job_name: 'on-a-node', cores_per_task: 2 });
  await waitFor(async () => ((await state(server, id)).state === 'RUN' ? true : undefined));
  await withPage(t, async ({ page }) => {
    await page.goto(`${server.url}/nodes`);
    const row = page.locator('.nodes-table tbody tr').first();
    const details = (await server.request.get('/v1/nodes?details=true')).body as { details: { cores_busy: number }[] };
    const busy = details.details[0]?.cores_busy ?? 0;
    t.true(busy >= 2);
    t.true((await row.innerText()).includes(`${busy} / 8`));
    t.is(await row.locator(`a[href="/job/${id}"]`).innerText(), `${id} on-a-node`);
    await screenshot(page, 'nodes');
  });
  await server.request.post(`/v1/jobs/${id}/cancel`);
});

test.serial('dark mode: the same pages follow the system setting', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: `sh -c 'echo out; echo err >&2'`, job_name: 'dark' });
  await waitForJobEnd(server, id);
  await withPage(t, async ({ page }) => {
    for (const [name, path] of [['jobs', '/jobs'], ['job', `/job/${id}`], ['submit', '/jobs/submit'], ['home', '/']] as const) {
      await page.goto(`${server.url}${path}`);
      if (name === 'job') {
        await page.locator('#output', { hasText: 'err' }).waitFor();
      } else if (name === 'jobs') {
        await page.locator('#jobs tbody td.col-name').first().waitFor();
      }
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      t.is(background, 'rgb(21, 23, 27)', `${name} is dark`);
      await screenshot(page, `${name}-dark`);
    }
  }, { scheme: 'dark' });
});

test.serial('on a phone every page fits the screen; the job table scrolls inside itself', async (t) => {
  const { server } = t.context;
  const id = await submitJob(server, { command: `sh -c 'echo a-rather-long-line-of-output-that-must-wrap-inside-the-pane-and-not-widen-the-page-at-all'`, job_name: 'phone' });
  await waitForJobEnd(server, id);
  const watched = await openPage(t.context.browser, { viewport: { width: 390, height: 844 } });
  try {
    const { page } = watched;
    for (const [name, path] of [['jobs', '/jobs'], ['job', `/job/${id}`], ['submit', '/jobs/submit'], ['nodes', '/nodes'], ['templates', '/templates'], ['template', '/templates/greet-ui']] as const) {
      await page.goto(`${server.url}${path}`);
      if (name === 'jobs') {
        await page.locator('#jobs tbody td.col-name').first().waitFor();
        t.true(await page.locator('#jobs td.col-owner').first().isHidden(), 'less important columns step aside');
      } else if (name === 'job') {
        await page.locator('#output', { hasText: 'must-wrap' }).waitFor();
      }
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      t.true(overflow <= 0, `${name}: the page is ${overflow}px wider than the phone`);
      await screenshot(page, `phone-${name}`);
    }
    t.deepEqual(watched.problems, []);
  } finally {
    await watched.close();
  }
});

test.serial('with auth on: the login page, the table with a session, per-user jobs, and signing out', async (t) => {
  const server = await startAuthServer();
  try {
    await addUser(server.dataDir, 'alice', 'alice password 1');
    const token = await fetchToken(server);
    const hidden = await server.request.post('/v1/jobs/submit?command=true&job_name=superusers-job').set(bearer(token));
    t.is(hidden.status, 200);
    await withPage(t, async ({ page }) => {
      await page.goto(`${server.url}/jobs`);
      await page.waitForURL(/\/login\?next=%2Fjobs$/);
      await screenshot(page, 'login');
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', 'wrong');
      await page.click('form.stacked button[type="submit"]');
      await page.locator('.alert', { hasText: 'Incorrect user name or password.' }).waitFor();
      await page.fill('input[name="password"]', 'alice password 1');
      await Promise.all([page.waitForURL(/\/jobs$/), page.click('form.stacked button[type="submit"]')]);
      const cookie = (await page.context().cookies()).find((entry) => entry.name === 'jobgate_session');
      t.true(cookie?.httpOnly);
      t.is(cookie?.sameSite, 'Lax');

      // The form posts with the session's CSRF token; the job is alice's.
      await page.goto(`${server.url}/jobs/submit`);
      await page.fill('#command', `sh -c 'echo signed in as $USERNAME_CHECK'`);
      await page.fill('#job_name', 'alices-job');
      await page.locator('#env-rows input[name="env_name"]').first().fill('USERNAME_CHECK');
      await page.locator('#env-rows input[name="env_value"]').first().fill('alice');
      await Promise.all([page.waitForURL(/\/job\/\d+/), page.click('#submit-form button[type="submit"]')]);
      await page.locator('#output', { hasText: 'signed in as alice' }).waitFor();
      t.regex(await page.locator('dd[data-key="owner"]').innerText(), /^alice/);

      // The table loads with the session cookie (the original's did not) and shows only alice's jobs.
      await page.goto(`${server.url}/jobs`);
      await page.locator('#jobs tbody td.col-name', { hasText: 'alices-job' }).waitFor();
      t.deepEqual(await rowNames(page), ['alices-job']);
      t.is(await page.locator('#jobs thead th.col-owner').count(), 1);
      t.is(await page.locator('#filter-owner').count(), 0, 'only superusers filter by owner');
      await screenshot(page, 'jobs-signed-in');

      await Promise.all([page.waitForURL(/\/login$/), page.click('.topbar form button')]);
      await page.goto(`${server.url}/jobs`);
      await page.waitForURL(/\/login\?next=/);
      t.is((await page.context().cookies()).find((entry) => entry.name === 'jobgate_session'), undefined);
    });
  } finally {
    await server.close();
  }
});
