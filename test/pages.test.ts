/**
 * The pages over HTTP (no browser): the submit form's POST, resubmit prefill, cancel by POST
 * only, the output download, escaping, fixed notices, assets served locally, a strict CSP,
 * and the sign-in and CSRF rules with auth on.
 */
import test from 'ava';
import { startTestServer, submitJob, waitFor, waitForJobEnd, type TestServer } from './helpers/test-server.js';
import { browserLogin, startAuthServer } from './helpers/auth.js';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after.always(async () => {
  await server.close();
});

const html = { Accept: 'text/html' };

async function running(id: string): Promise<void> {
  await waitFor(async () => ((await server.request.get(`/v1/jobs/${id}`)).body.state === 'RUN' ? true : undefined));
}

test('the submit form posts a job with its environment rows and goes to its page', async (t) => {
  const response = await server.request
    .post('/jobs/submit')
    .type('form')
    .send('command=sh+-c+%27echo+$A-$B%27&job_name=from-form&runtime=1h30m&num_tasks=1&env_name=A&env_value=one&env_name=B&env_value=two+%26+three&env_name=&env_value=');
  t.is(response.status, 303);
  const id = /^\/job\/(\d+)\?notice=submitted$/.exec(String(response.headers.location))?.[1] ?? '';
  t.not(id, '');
  const job = await waitForJobEnd(server, id);
  t.is(job.name, 'from-form');
  t.is(job.duration, 5400);
  const output = await server.request.get(`/v1/jobs/${id}/output`);
  t.deepEqual(output.body.Output, ['one-two & three\n']);
});

test('a refused form comes back with the typed values and the errors by their fields', async (t) => {
  const response = await server.request.post('/jobs/submit').set(html).type('form').send({ command: 'echo <b>kept</b>', runtime: 'later', num_tasks: 'two', env_name: 'X', env_value: '1' });
  t.is(response.status, 400);
  t.regex(response.text, /id="runtime-errors"><li>&#39;later&#39; is not a duration/);
  t.regex(response.text, /id="num_tasks-errors"><li>&#39;two&#39; is not a whole number/);
  t.regex(response.text, /name="command"[^>]*value="echo &lt;b&gt;kept&lt;\/b&gt;"/);
  t.regex(response.text, /name="env_name" class="mono" value="X"/);
  const launcher = await server.request.post('/jobs/submit').set(html).type('form').send({ command: 'echo hi', is_launcher: 'true' });
  t.is(launcher.status, 400);
  t.regex(launcher.text, /id="is_launcher-errors"><li>echo is not a known launcher/);
  const missing = await server.request.post('/jobs/submit').set(html).type('form').send({ command: '  ' });
  t.is(missing.status, 400);
  t.regex(missing.text, /id="command-errors"><li>&#39;command&#39; is required\./);
});

test('resubmit prefills the form with a command that splits back into the same words', async (t) => {
  const id = await submitJob(server, { command: `printf '%s|' 'a b' "it's" '$HOME'`, job_name: 'again', runtime: 90, urgency: 20 }, { KEY: 'v"al' });
  await waitForJobEnd(server, id);
  const page = await server.request.get(`/jobs/submit?from=${id}`).set(html);
  t.is(page.status, 200);
  t.regex(page.text, /name="command"[^>]*value="printf &#39;%s\|&#39; &#39;a b&#39; &#39;it&#39;&quot;&#39;&quot;&#39;s&#39; &#39;\$HOME&#39;"/);
  t.regex(page.text, /name="runtime" type="text" value="1m30s"/);
  t.regex(page.text, /name="urgency" type="number" value="20"/);
  t.regex(page.text, /name="env_value" class="mono" value="v&quot;al"/);
  const again = await server.request.post('/jobs/submit').type('form').send({ command: `printf '%s|' 'a b' "it's" '$HOME'` });
  const second = /\/job\/(\d+)/.exec(String(again.headers.location))?.[1] ?? '';
  await waitForJobEnd(server, second);
  t.deepEqual((await server.request.get(`/v1/jobs/${second}/output`)).body.Output, ["a b|it's|$HOME|"]);
});

test('GET /job/{id}/cancel asks; only the POST cancels', async (t) => {
  const id = await submitJob(server, { command: 'sleep 60' });
  await running(id);
  const ask = await server.request.get(`/job/${id}/cancel`).set(html);
  t.is(ask.status, 200);
  t.regex(ask.text, new RegExp(`<form method="post" action="/job/${id}/cancel"`));
  t.is((await server.request.get(`/v1/jobs/${id}`)).body.state, 'RUN');
  const cancel = await server.request.post(`/job/${id}/cancel`).type('form').send({});
  t.is(cancel.status, 303);
  t.is(cancel.headers.location, `/job/${id}?notice=cancel-requested`);
  await waitForJobEnd(server, id);
  const again = await server.request.post(`/job/${id}/cancel`).type('form').send({});
  t.is(again.headers.location, `/job/${id}?notice=already-inactive`);
});

test('job pages escape what jobs say, and notices are fixed texts chosen by key', async (t) => {
  const id = await submitJob(server, { command: 'true', job_name: '<script>alert(1)</script>\u001b[31m' });
  const page = await server.request.get(`/job/${id}?notice=%3Cscript%3Ealert(2)%3C/script%3E`).set(html);
  t.is(page.status, 200);
  t.false(page.text.includes('<script>alert'));
  t.true(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;^[[31m'));
  t.false(page.text.includes('alert(2)'));
  t.false(page.text.includes('class="notice'));
  const submitted = await server.request.get(`/job/${id}?notice=submitted`).set(html);
  t.regex(submitted.text, /class="notice notice-info" role="status">Job submitted\.</);
});

test('unknown and malformed job ids get error pages', async (t) => {
  t.is((await server.request.get('/job/123456789').set(html)).status, 404);
  t.is((await server.request.get('/job/not-an-id').set(html)).status, 400);
  t.is((await server.request.post('/job/123456789/cancel').type('form').send({})).status, 404);
});

test('the whole output downloads as a file, per stream', async (t) => {
  const id = await submitJob(server, { command: `sh -c 'echo out; echo err >&2; printf "\\377\\n"'` });
  await waitForJobEnd(server, id);
  const all = await server.request.get(`/job/${id}/output.txt`).buffer(true).parse((response, done) => {
    const parts: Buffer[] = [];
    response.on('data', (part: Buffer) => parts.push(part));
    response.on('end', () => done(null, Buffer.concat(parts)));
  });
  t.is(all.status, 200);
  t.is(all.headers['content-disposition'], `attachment; filename="job-${id}-all.txt"`);
  const bytes = all.body as Buffer;
  t.true(bytes.includes(Buffer.from('out\n')) && bytes.includes(Buffer.from('err\n')) && bytes.includes(Buffer.from([0xff, 0x0a])), 'bytes as written');
  const stderr = await server.request.get(`/job/${id}/output.txt?stream=stderr`);
  t.is(stderr.text, 'err\n');
});

test('pages load their scripts and styles from jobgate, under a CSP without unsafe-inline', async (t) => {
  const id = await submitJob(server, { command: 'true' });
  for (const path of ['/', '/jobs', '/jobs/submit', '/nodes', `/job/${id}`, `/job/${id}/cancel`]) {
    const page = await server.request.get(path).set(html);
    t.is(page.status, 200, path);
    const csp = String(page.headers['content-security-policy']);
    t.regex(csp, /script-src 'self'/);
    t.false(csp.includes('unsafe-inline'), path);
    t.notRegex(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline script`);
    t.notRegex(page.text, /\sstyle=|<style/, `${path}: no inline style`);
    t.notRegex(page.text, /(src|href)="(https?:)?\/\//, `${path}: nothing from elsewhere`);
  }
  const vendor = await server.request.get('/static/vendor/datatables/dataTables.min.js');
  t.is(vendor.status, 200);
  t.regex(String(vendor.headers['content-type']), /javascript/);
  t.is((await server.request.get('/static/vendor/datatables/dataTables.dataTables.min.css')).status, 200);
  t.is((await server.request.get('/static/app/jobs-table.js')).status, 200);
  t.is((await server.request.get('/static/vendor/datatables/package.json')).status, 404);
  t.is((await server.request.get('/static/app/%2e%2e/src/app.js')).status, 404);
  t.is((await server.request.get('/static/app/..%2f..%2fpackage.json')).status, 404);
});

test('own-origin form posts pass the cross-site check even with Origin: null; other sites do not', async (t) => {
  // Browsers send `Origin: null` on form posts under Referrer-Policy: no-referrer; Sec-Fetch-Site tells the truth.
  const own = await server.request.post('/jobs/submit').set('Origin', 'null').set('Sec-Fetch-Site', 'same-origin').type('form').send({ command: 'true' });
  t.is(own.status, 303);
  const sameSite = await server.request.post('/jobs/submit').set('Origin', 'http://127.0.0.1:1').set('Sec-Fetch-Site', 'same-site').type('form').send({ command: 'true' });
  t.is(sameSite.status, 403);
  const crossSite = await server.request.post('/jobs/submit').set('Origin', 'null').set('Sec-Fetch-Site', 'cross-site').type('form').send({ command: 'true' });
  t.is(crossSite.status, 403);
});

test('with auth on, pages send visitors to sign in, and page forms need the session CSRF token', async (t) => {
  const secured = await startAuthServer();
  try {
    for (const path of ['/jobs', '/jobs/submit', '/nodes', '/job/123', '/job/123/cancel']) {
      const response = await secured.request.get(path).set(html);
      t.is(response.status, 303, path);
      t.is(response.headers.location, `/login?next=${encodeURIComponent(path)}`);
    }
    t.is((await secured.request.get('/').set(html)).status, 200, 'the readiness probe stays open');
    const session = await browserLogin(secured, 'fluxuser', 'correct horse battery');
    const page = await secured.request.get('/jobs').set(html).set('Cookie', session.cookie);
    t.regex(page.text, new RegExp(`<meta name="csrf-token" content="${session.csrfToken}">`));
    const refused = await secured.request.post('/jobs/submit').set('Cookie', session.cookie).type('form').send({ command: 'true' });
    t.is(refused.status, 403);
    const accepted = await secured.request.post('/jobs/submit').set('Cookie', session.cookie).type('form').send({ command: 'sleep 60', _csrf: session.csrfToken });
    t.is(accepted.status, 303);
    const id = /\/job\/(\d+)/.exec(String(accepted.headers.location))?.[1] ?? '';
    const noToken = await secured.request.post(`/job/${id}/cancel`).set('Cookie', session.cookie).type('form').send({});
    t.is(noToken.status, 403);
    t.not((await secured.request.get(`/v1/jobs/${id}`).set('Cookie', session.cookie)).body.state, 'INACTIVE');
    const cancel = await secured.request.post(`/job/${id}/cancel`).set('Cookie', session.cookie).type('form').send({ _csrf: session.csrfToken });
    t.is(cancel.status, 303);
    // The table's data comes from the API with the same cookie (no Bearer handshake).
    const search = await secured.request.get('/v1/jobs/search?draw=1&start=0&length=10').set('Cookie', session.cookie);
    t.is(search.status, 200);
    t.is(search.body.recordsFiltered, 1);
  } finally {
    await secured.close();
  }
});
