/** The pieces under the handshake: scrypt passwords, access tokens (expiry, revocation, keys), sessions. */
import test from 'ava';
import { SignJWT, decodeJwt } from 'jose';
import { openDatabase, type Db } from '../../src/db/database.js';
import { CredentialsRepository } from '../../src/db/credentials-repository.js';
import { UsersRepository } from '../../src/db/users-repository.js';
import { AccessTokens } from '../../src/auth/access-tokens.js';
import { Sessions } from '../../src/auth/sessions.js';
import { UsersService } from '../../src/auth/users-service.js';
import { hashPassword, secretsEqual, verifyPassword } from '../../src/auth/passwords.js';

const KEY = new TextEncoder().encode('a-server-only-signing-key-of-32-chars-or-more');

interface World {
  db: Db;
  users: UsersService;
  tokens: AccessTokens;
  sessions: Sessions;
  clock: { ms: number };
}

function world(lifetimeSeconds = 600): World {
  const db = openDatabase({ file: ':memory:' });
  const clock = { ms: Date.UTC(2030, 0, 1) };
  const now = (): number => clock.ms;
  const credentials = new CredentialsRepository(db);
  return {
    db,
    clock,
    users: new UsersService({ users: new UsersRepository(db), credentials, now }),
    tokens: new AccessTokens({ key: KEY, store: credentials, lifetimeSeconds, now }),
    sessions: new Sessions({ store: credentials, lifetimeSeconds, now }),
  };
}

test('passwords are stored as salted scrypt hashes and verified exactly', async (t) => {
  const first = await hashPassword('s3cret password');
  const second = await hashPassword('s3cret password');
  t.regex(first, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.false(first.includes('s3cret'));
  t.not(first, second);
  t.true(await verifyPassword('s3cret password', first));
  t.false(await verifyPassword('s3cret passworD', first));
  t.false(await verifyPassword('s3cret password', 'plain text'));
  t.false(await verifyPassword('s3cret password', '$scrypt$ln=1,r=1,p=1$AAAA$AAAA'));
});

test('secretsEqual compares any lengths without throwing', (t) => {
  t.true(secretsEqual('abc', 'abc'));
  t.false(secretsEqual('abc', 'abd'));
  t.false(secretsEqual('abc', 'abcd'));
  t.false(secretsEqual('', 'x'));
});

test('a token is valid until its exp, then refused', async (t) => {
  const w = world(600);
  const user = await w.users.add('alice', 'alice-password', 'user');
  const issued = await w.tokens.issue(user);
  t.is((await w.tokens.verify(issued.token))?.name, 'alice');
  w.clock.ms += 599_000;
  t.truthy(await w.tokens.verify(issued.token));
  w.clock.ms += 2_000;
  t.is(await w.tokens.verify(issued.token), null);
});

test('a token signed with the right key but without exp is refused', async (t) => {
  const w = world();
  const user = await w.users.add('alice', 'alice-password', 'user');
  const issued = await w.tokens.issue(user);
  const claims = decodeJwt(issued.token);
  const noExp = await new SignJWT({ jti: claims.jti, iss: claims.iss, aud: claims.aud })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('alice')
    .setIssuedAt(Math.floor(w.clock.ms / 1000))
    .sign(KEY);
  t.is(await w.tokens.verify(noExp), null);
});

test('a token signed with another key, or unsigned, is refused even with a live id', async (t) => {
  const w = world();
  const user = await w.users.add('alice', 'alice-password', 'user');
  const claims = decodeJwt((await w.tokens.issue(user)).token);
  const copy = (key: Uint8Array): Promise<string> =>
    new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  t.is(await w.tokens.verify(await copy(new TextEncoder().encode('some-other-key-that-is-long-enough-too'))), null);
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  t.is(await w.tokens.verify(unsigned), null);
});

test('a token whose sub was changed to the superuser is refused (the id belongs to someone else)', async (t) => {
  const w = world();
  await w.users.add('root', 'root-password', 'superuser');
  const alice = await w.users.add('alice', 'alice-password', 'user');
  const claims = decodeJwt((await w.tokens.issue(alice)).token);
  const swapped = await new SignJWT({ ...claims, sub: 'root' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(KEY);
  t.is(await w.tokens.verify(swapped), null);
});

test('tokens can be revoked one by one, and all of them by a password change or removing the user', async (t) => {
  const w = world();
  const alice = await w.users.add('alice', 'alice-password', 'user');
  const one = await w.tokens.issue(alice);
  const two = await w.tokens.issue(alice);
  t.true(w.tokens.revoke(one.jti));
  t.is(await w.tokens.verify(one.token), null);
  t.truthy(await w.tokens.verify(two.token));

  const session = w.sessions.open(alice);
  await w.users.setPassword('alice', 'a-new-password');
  t.is(await w.tokens.verify(two.token), null);
  t.is(w.sessions.find(session.id), null);

  const three = await w.tokens.issue(alice);
  w.users.remove('alice');
  t.is(await w.tokens.verify(three.token), null);
});

test('sessions: found by their id, gone after close or expiry; only a hash is stored', async (t) => {
  const w = world(60);
  const alice = await w.users.add('alice', 'alice-password', 'user');
  const session = w.sessions.open(alice);
  t.is(w.sessions.find(session.id)?.name, 'alice');
  t.is(w.sessions.find(session.id)?.csrfToken, session.csrfToken);
  const stored = w.db.prepare('SELECT id_hash FROM sessions').pluck().all() as string[];
  t.deepEqual(stored.filter((value) => value.includes(session.id)), []);
  w.sessions.close(session.id);
  t.is(w.sessions.find(session.id), null);

  const later = w.sessions.open(alice);
  w.clock.ms += 61_000;
  t.is(w.sessions.find(later.id), null);
  t.is(w.sessions.find('not-a-session'), null);
});

test('users: names are checked, duplicates refused, passwords at least 8 characters; authenticate checks the password', async (t) => {
  const w = world();
  await t.throwsAsync(w.users.add('bad name', 'long-enough', 'user'), { message: /name/ });
  await t.throwsAsync(w.users.add('bob', 'short', 'user'), { message: /password/ });
  await w.users.add('bob', 'long-enough', 'user');
  await t.throwsAsync(w.users.add('bob', 'long-enough', 'user'), { message: /already exists/ });
  t.is((await w.users.authenticate('bob', 'long-enough'))?.name, 'bob');
  t.is(await w.users.authenticate('bob', 'long-enougH'), null);
  t.is(await w.users.authenticate('nobody', 'long-enough'), null);
});

test('the FLUX_USER superuser is created, then kept in step with FLUX_TOKEN (short compatible passwords allowed)', async (t) => {
  const w = world();
  t.is(await w.users.ensureSuperuser('fluxuser', '12345'), 'created');
  t.is(await w.users.ensureSuperuser('fluxuser', '12345'), 'unchanged');
  const user = await w.users.authenticate('fluxuser', '12345');
  t.is(user?.role, 'superuser');
  const token = await w.tokens.issue(user ?? { id: 0, name: '' });
  t.is(await w.users.ensureSuperuser('fluxuser', 'changed-password'), 'updated');
  t.is(await w.tokens.verify(token.token), null);
  w.users.setRole('fluxuser', 'user');
  t.is(await w.users.ensureSuperuser('fluxuser', 'changed-password'), 'updated');
  t.is((await w.users.authenticate('fluxuser', 'changed-password'))?.role, 'superuser');
});
