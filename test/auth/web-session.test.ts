/**
 * Browsers: the login page, the session cookie, CSRF tokens on every state change made with
 * the cookie, sign-out, and the API answering the cookie (pages never need the Bearer handshake).
 */
import test from 'ava';
import type { TestServer } from '../helpers/test-server.js';
import { addUser, browserLogin, cookieLine, hiddenCsrf, startAuthServer, SUPERUSER, SUPERUSER_PASSWORD } from '../helpers/auth.js';

let server: TestServer;
test.before(async () => {
  server = await startAuthServer();
  await addUser(server.dataDir, 'alice', 'alice-password');
  // Its own user: signing out everywhere must not end the sessions of tests running alongside.
  await addUser(server.dataDir, 'carol', 'carol-password');
  // And one whose job count no other test changes.
  await addUser(server.dataDir, 'dave', 'dave-password');
});
test.after.always(async () => {
  await server.close();
});

test('the login page sets a short-lived, path-bound CSRF cookie and renders the same token in the form', async (t) => {
  const page = await server.request.get('/login?next=/account');
  t.is(page.status, 200);
  t.regex(page.headers['content-type'] ?? '', /text\/html/);
  const line = cookieLine(page.headers['set-cookie'], 'jobgate_login_csrf') ?? '';
  t.regex(line, /HttpOnly/);
  t.regex(line, /SameSite=Strict/);
  t.regex(line, /Path=\/login/);
  t.is(line.split(';')[0]?.split('=')[1], hiddenCsrf(page.text));
  t.regex(page.text, /name="next" value="\/account"/);
});

test('signing in sets an HttpOnly SameSite session cookie and redirects to the page asked for', async (t) => {
  const session = await browserLogin(server, 'alice', 'alice-password');
  t.regex(session.setCookie, /^jobgate_session=[A-Za-z0-9_-]{43}; /);
  t.regex(session.setCookie, /HttpOnly/);
  t.regex(session.setCookie, /SameSite=Lax/);
  t.regex(session.setCookie, /Path=\//);
  t.notRegex(session.setCookie, /Secure/);
  const account = await server.request.get('/account').set('Cookie', session.cookie);
  t.is(account.status, 200);
  t.regex(account.text, /alice/);
  t.regex(account.text, /<meta name="csrf-token" content="[A-Za-z0-9_-]{43}">/);
  t.is(account.headers['cache-control'], 'no-store');
});

test('the session cookie is Secure when the browser came over https (through a proxy)', async (t) => {
  const form = await server.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const posted = await server.request.post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', loginCookie).type('form')
    .send({ username: 'alice', password: 'alice-password', _csrf: hiddenCsrf(form.text) });
  t.is(posted.status, 303);
  t.regex(cookieLine(posted.headers['set-cookie'], 'jobgate_session') ?? '', /; Secure/);
});

test('a redirect after login never leaves the site', async (t) => {
  for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    const form = await server.request.get(`/login?next=${encodeURIComponent(next)}`);
    const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
    const posted = await server.request.post('/login').set('Cookie', loginCookie).type('form')
      .send({ username: 'alice', password: 'alice-password', _csrf: hiddenCsrf(form.text), next });
    t.is(posted.headers.location, '/', next);
  }
});

test('a login form opened before signing in elsewhere still works (it carries its own token)', async (t) => {
  const form = await server.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const other = await browserLogin(server, 'alice', 'alice-password');
  const posted = await server.request.post('/login').set('Cookie', `${loginCookie}; ${other.cookie}`).type('form')
    .send({ username: 'alice', password: 'alice-password', _csrf: hiddenCsrf(form.text) });
  t.is(posted.status, 303);
  const fresh = cookieLine(posted.headers['set-cookie'], 'jobgate_session')?.split(';')[0] ?? '';
  t.not(fresh, other.cookie);
  // The session the browser had is replaced, not kept alongside (session fixation).
  t.is((await server.request.get('/v1/jobs').set('Cookie', other.cookie)).status, 401);
  t.is((await server.request.get('/v1/jobs').set('Cookie', fresh)).status, 200);
});

test('a login form without its CSRF token, or with someone else\'s, is refused', async (t) => {
  const form = await server.request.get('/login');
  const noCookie = await server.request.post('/login').type('form').send({ username: 'alice', password: 'alice-password', _csrf: hiddenCsrf(form.text) });
  t.is(noCookie.status, 403);
  t.is(cookieLine(noCookie.headers['set-cookie'], 'jobgate_session'), undefined);
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const wrongToken = await server.request.post('/login').set('Cookie', loginCookie).type('form').send({ username: 'alice', password: 'alice-password', _csrf: 'x' });
  t.is(wrongToken.status, 403);
  const crossSite = await server.request.post('/login').set('Cookie', loginCookie).set('Origin', 'https://evil.example').type('form')
    .send({ username: 'alice', password: 'alice-password', _csrf: hiddenCsrf(form.text) });
  t.is(crossSite.status, 403);
});

test('a wrong password re-renders the form (escaped) without a session', async (t) => {
  const form = await server.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  const posted = await server.request.post('/login').set('Cookie', loginCookie).type('form')
    .send({ username: '<script>alert(1)</script>', password: 'nope', _csrf: hiddenCsrf(form.text) });
  t.is(posted.status, 400);
  t.regex(posted.text, /Incorrect user name or password/);
  t.false(posted.text.includes('<script>alert(1)</script>'));
  t.true(posted.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.is(cookieLine(posted.headers['set-cookie'], 'jobgate_session'), undefined);
});

test('with the session cookie the API answers without the Bearer handshake, including event streams', async (t) => {
  const session = await browserLogin(server, 'alice', 'alice-password');
  t.is((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).status, 200);
  t.is((await server.request.get('/v1/jobs/search?draw=1').set('Cookie', session.cookie)).status, 200);
  const submitted = await server.request.post('/v1/jobs/submit?command=echo%20streamed').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
  const id = /"id":(\d+)/.exec(submitted.text)?.[1] ?? '';
  // An EventSource sends the cookie; the stream ends with the job.
  const events = await server.request.get(`/v1/jobs/${id}/output/events`).set('Cookie', session.cookie).buffer(true).parse((response, done) => {
    let text = '';
    response.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    response.on('end', () => done(null, text));
  });
  t.is(events.status, 200);
  t.regex(events.headers['content-type'] ?? '', /text\/event-stream/);
  t.regex(String(events.body), /streamed/);
});

test('state changes made with the session cookie need the CSRF token', async (t) => {
  const session = await browserLogin(server, 'dave', 'dave-password');
  const before = (await server.request.get('/v1/jobs').set('Cookie', session.cookie)).body.jobs.length as number;
  const without = await server.request.post('/v1/jobs/submit?command=true').set('Cookie', session.cookie);
  t.is(without.status, 403);
  t.deepEqual(without.body, { detail: 'CSRF token missing or invalid' });
  const wrong = await server.request.post('/v1/jobs/submit?command=true').set('Cookie', session.cookie).set('X-CSRF-Token', 'guess');
  t.is(wrong.status, 403);
  t.is((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).body.jobs.length, before);

  const header = await server.request.post('/v1/jobs/submit?command=true').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
  t.is(header.status, 200);
  const form = await server.request.post('/v1/jobs/submit').set('Cookie', session.cookie).type('form').send({ command: 'true', _csrf: session.csrfToken });
  t.is(form.status, 200);
});

test("another session's CSRF token does not work", async (t) => {
  const mine = await browserLogin(server, 'alice', 'alice-password');
  const other = await browserLogin(server, 'alice', 'alice-password');
  t.not(mine.csrfToken, other.csrfToken);
  const response = await server.request.post('/v1/jobs/submit?command=true').set('Cookie', mine.cookie).set('X-CSRF-Token', other.csrfToken);
  t.is(response.status, 403);
});

test('signing out is a POST with the CSRF token; the session is then gone on the server', async (t) => {
  const session = await browserLogin(server, 'alice', 'alice-password');
  t.is((await server.request.get('/logout').set('Cookie', session.cookie)).status, 405);
  t.is((await server.request.post('/logout').set('Cookie', session.cookie)).status, 403);
  t.is((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).status, 200);
  const out = await server.request.post('/logout').set('Cookie', session.cookie).type('form').send({ _csrf: session.csrfToken });
  t.is(out.status, 303);
  t.regex(cookieLine(out.headers['set-cookie'], 'jobgate_session') ?? '', /Max-Age=0/);
  // The old cookie, replayed, is worthless.
  t.is((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).status, 401);
});

test('"sign out everywhere" ends every session and token of the user', async (t) => {
  const one = await browserLogin(server, 'carol', 'carol-password');
  const two = await browserLogin(server, 'carol', 'carol-password');
  const out = await server.request.post('/logout').set('Cookie', one.cookie).type('form').send({ _csrf: one.csrfToken, everywhere: '1' });
  t.is(out.status, 303);
  t.is((await server.request.get('/v1/jobs').set('Cookie', two.cookie)).status, 401);
});

test('pages that need a user send the browser to the login page; GET / stays public', async (t) => {
  const account = await server.request.get('/account');
  t.is(account.status, 303);
  t.is(account.headers.location, '/login?next=%2Faccount');
  const home = await server.request.get('/');
  t.is(home.status, 200);
  t.regex(home.text, /href="\/login"/);
});

test('the layout shows who is signed in, with a sign-out form carrying the CSRF token', async (t) => {
  const session = await browserLogin(server, SUPERUSER, SUPERUSER_PASSWORD);
  const home = await server.request.get('/').set('Cookie', session.cookie);
  t.regex(home.text, /href="\/account">fluxuser<\/a> <span class="muted">\(superuser\)<\/span>/);
  t.regex(home.text, new RegExp(`<form method="post" action="/logout" class="inline">\\s*<input type="hidden" name="_csrf" value="${session.csrfToken}">`));
});

test('pages carry the security headers (CSP without inline script, no framing, no sniffing)', async (t) => {
  const page = await server.request.get('/login');
  const csp = page.headers['content-security-policy'] ?? '';
  t.regex(csp, /script-src 'self'/);
  t.false(csp.includes('unsafe-inline'));
  t.regex(csp, /frame-ancestors 'none'/);
  t.is(page.headers['x-frame-options'], 'DENY');
  t.is(page.headers['x-content-type-options'], 'nosniff');
  t.is(page.headers['cache-control'], 'no-store');
});

test('login attempts on the page are throttled too', async (t) => {
  const throttled = await startAuthServer();
  t.teardown(() => throttled.close());
  const form = await throttled.request.get('/login');
  const loginCookie = cookieLine(form.headers['set-cookie'], 'jobgate_login_csrf')?.split(';')[0] ?? '';
  let last = 0;
  let retryAfter: string | undefined;
  for (let attempt = 0; attempt < 11; attempt += 1) {
    const posted = await throttled.request.post('/login').set('Cookie', loginCookie).type('form').send({ username: 'fluxuser', password: 'guess', _csrf: hiddenCsrf(form.text) });
    last = posted.status;
    retryAfter = posted.headers['retry-after'];
  }
  t.is(last, 429);
  t.true(Number(retryAfter) >= 1);
});

test('the job page\'s forms and the template form need the session\'s CSRF token, and reach only the user\'s own jobs', async (t) => {
  const alice = await browserLogin(server, 'alice', 'alice-password');
  const dave = await browserLogin(server, 'dave', 'dave-password');
  const submitted = await server.request.post('/jobs/submit').set('Cookie', alice.cookie).type('form').send({ command: 'true', urgency: '0', _csrf: alice.csrfToken });
  const id = /\/job\/(\d+)/.exec(submitted.headers.location ?? '')?.[1] ?? '';
  const labels = (session: { cookie: string }, form: Record<string, string>) => server.request.post(`/job/${id}/labels`).set('Cookie', session.cookie).type('form').send(form);

  t.is((await labels(alice, { action: 'add-tags', tags: 'from:web' })).status, 403, 'no token: refused');
  const added = await labels(alice, { action: 'add-tags', tags: 'from:web', _csrf: alice.csrfToken });
  t.is(added.status, 303);
  t.is(added.headers.location, `/job/${id}?notice=tags-added#job-labels`);
  t.is((await labels(dave, { action: 'add-tags', tags: 'not:mine', _csrf: dave.csrfToken })).status, 404, 'another user\'s job is not there');
  const control = await server.request.post(`/job/${id}/control`).set('Cookie', dave.cookie).type('form').send({ action: 'release', _csrf: dave.csrfToken });
  t.is(control.status, 404);
  const page = await server.request.get(`/job/${id}`).set('Cookie', alice.cookie);
  t.regex(page.text, />from:web</);
  t.notRegex(page.text, /not:mine/);
  t.regex(page.text, /id="release-form"/, 'urgency 0 at submit: held, so the page offers release');
  await server.request.post(`/v1/jobs/${id}/cancel`).set('Cookie', alice.cookie).set('X-CSRF-Token', alice.csrfToken);

  await server.request.post('/v1/templates').set('Cookie', alice.cookie).set('X-CSRF-Token', alice.csrfToken).send({ name: 'alices-own', job: { command: ['true'] } });
  t.is((await server.request.get('/templates/alices-own').set('Cookie', dave.cookie)).status, 404, 'a template not shared is not there for others');
  t.is((await server.request.post('/templates/alices-own/submit').set('Cookie', alice.cookie).type('form').send({})).status, 403);
  const fromTemplate = await server.request.post('/templates/alices-own/submit').set('Cookie', alice.cookie).type('form').send({ _csrf: alice.csrfToken });
  t.is(fromTemplate.status, 303);
  t.regex(fromTemplate.headers.location ?? '', /^\/job\/\d+\?notice=submitted$/);
});
