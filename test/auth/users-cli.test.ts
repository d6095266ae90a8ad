/** `jobgate users add|list|remove|passwd|revoke` on a data directory, also while a jobgate runs on it. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Command } from 'commander';
import { execa } from 'execa';
import { addUsersCommand, type UsersIo } from '../../src/cli/users.js';
import { projectRoot } from '../../src/version.js';
import { makeTempDir } from '../helpers/test-server.js';
import { bearer, browserLogin, fetchToken, startAuthServer } from '../helpers/auth.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

interface FakeInput {
  stdin?: string;
  /** Answers to terminal prompts, in order; absent: there is no terminal. */
  prompts?: string[];
}

async function users(args: string[], input: FakeInput = {}): Promise<Run> {
  const result: Run = { code: -1, out: '', err: '' };
  const prompts = [...(input.prompts ?? [])];
  const io: UsersIo = {
    out: (text) => {
      result.out += text;
    },
    err: (text) => {
      result.err += text;
    },
    passwords: {
      isTerminal: input.prompts !== undefined,
      prompt: async () => prompts.shift() ?? '',
      firstLineOfStdin: async () => (input.stdin ?? '').split('\n')[0] ?? '',
    },
    env: {},
  };
  const program = new Command().exitOverride();
  addUsersCommand(program, (code) => {
    result.code = code;
  }, io);
  await program.parseAsync(['users', ...args], { from: 'user' });
  return result;
}

test('add (stdin or prompt), list, passwd and remove manage the store', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.is((await users(['add', 'alice', '--superuser', '--password-stdin', '--data-dir', dir], { stdin: 'alice-password\n' })).code, 0);
  const prompted = await users(['add', 'bob', '--data-dir', dir], { prompts: ['bob-password', 'bob-password'] });
  t.is(prompted.code, 0);
  t.is(prompted.out, 'added user bob\n');

  const listed = await users(['list', '--data-dir', dir]);
  t.regex(listed.out, /^NAME\s+ROLE\s+TOKENS\s+SESSIONS\s+CREATED\nalice\s+superuser\s+0\s+0\s+\S+\nbob\s+user\s+0\s+0\s+\S+\n$/);
  const json = JSON.parse((await users(['list', '--json', '--data-dir', dir])).out) as { name: string; role: string }[];
  t.deepEqual(json.map((user) => [user.name, user.role]), [['alice', 'superuser'], ['bob', 'user']]);
  t.false(fs.readFileSync(path.join(dir, 'jobgate.db')).includes('alice-password'));

  t.is((await users(['passwd', 'bob', '--data-dir', dir], { prompts: ['new-bob-password', 'new-bob-password'] })).code, 0);
  t.is((await users(['remove', 'alice', '--data-dir', dir])).code, 0);
  t.deepEqual((JSON.parse((await users(['list', '--json', '--data-dir', dir])).out) as { name: string }[]).map((user) => user.name), ['bob']);
});

test('refusals: no terminal and no --password-stdin, mismatched prompts, short passwords, duplicates, unknown users, no store', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const noTerminal = await users(['add', 'carol', '--data-dir', dir]);
  t.is(noTerminal.code, 1);
  t.regex(noTerminal.err, /--password-stdin/);
  const mismatch = await users(['add', 'carol', '--data-dir', dir], { prompts: ['carol-password', 'carol-passwork'] });
  t.is(mismatch.code, 1);
  t.regex(mismatch.err, /do not match/);
  t.regex((await users(['add', 'carol', '--password', 'short', '--data-dir', dir])).err, /password: must be 8/);
  t.is((await users(['add', 'carol', '--password', 'carol-password', '--data-dir', dir])).code, 0);
  t.regex((await users(['add', 'carol', '--password', 'carol-password', '--data-dir', dir])).err, /already exists/);
  t.regex((await users(['remove', 'nobody', '--data-dir', dir])).err, /no user named 'nobody'/);
  t.regex((await users(['add', 'bad name', '--password', 'long-enough', '--data-dir', dir])).err, /name/);
  const missing = await users(['list', '--data-dir', path.join(dir, 'nowhere')]);
  t.is(missing.code, 1);
  t.regex(missing.err, /no jobgate data directory/);
});

test('changes apply to a running jobgate at once: passwd, revoke and remove end tokens and sessions', async (t) => {
  const server = await startAuthServer();
  t.teardown(() => server.close());
  const dir = server.dataDir;
  t.is((await users(['add', 'dana', '--password', 'dana-password', '--data-dir', dir])).code, 0);
  const token = await fetchToken(server, 'dana', 'dana-password');
  const session = await browserLogin(server, 'dana', 'dana-password');
  t.regex((await users(['list', '--data-dir', dir])).out, /dana\s+user\s+1\s+1/);

  t.is((await users(['passwd', 'dana', '--password-stdin', '--data-dir', dir], { stdin: 'dana-new-password\n' })).code, 0);
  t.is((await server.request.get('/v1/jobs').set(bearer(token))).status, 401);
  t.is((await server.request.get('/v1/jobs').set('Cookie', session.cookie)).status, 401);
  await t.throwsAsync(fetchToken(server, 'dana', 'dana-password'));

  const fresh = await fetchToken(server, 'dana', 'dana-new-password');
  t.regex((await users(['revoke', 'dana', '--data-dir', dir])).out, /revoked 1 /);
  t.is((await server.request.get('/v1/jobs').set(bearer(fresh))).status, 401);

  const last = await fetchToken(server, 'dana', 'dana-new-password');
  t.is((await users(['remove', 'dana', '--data-dir', dir])).code, 0);
  t.is((await server.request.get('/v1/jobs').set(bearer(last))).status, 401);
  await t.throwsAsync(fetchToken(server, 'dana', 'dana-new-password'));
});

test('the real command reads the password from stdin and never takes it as a plain argument', async (t) => {
  const dir = makeTempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(projectRoot, 'bin', 'jobgate');
  const added = await execa('node', [bin, 'users', 'add', 'erin', '--role', 'superuser', '--password-stdin', '--data-dir', dir], { input: 'erin-password\n', reject: false });
  t.is(added.exitCode, 0, added.stderr);
  t.is(added.stdout, 'added superuser erin');
  const positional = await execa('node', [bin, 'users', 'add', 'frank', 'frank-password', '--data-dir', dir], { input: '', reject: false });
  t.not(positional.exitCode, 0);
  const listed = await execa('node', [bin, 'users', 'list', '--data-dir', dir], { reject: false });
  t.regex(listed.stdout, /erin\s+superuser/);
  t.notRegex(listed.stdout, /frank/);
});
