/** Address lists (JOBGATE_ADMIN_ALLOW): addresses and subnets, IPv4 and IPv6, every bad entry named. */
import test from 'ava';
import { parseAddressList } from '../../src/lib/address-list.js';

test('addresses and subnets of both families match what they should, and nothing else', (t) => {
  const list = parseAddressList(' 127.0.0.1, 10.0.0.0/8 ,fd00::/8,::1');
  if ('problems' in list) {
    t.fail(list.problems.join('; '));
    return;
  }
  t.deepEqual(list.entries, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']);
  for (const address of ['127.0.0.1', '10.1.2.3', '10.255.255.255', 'fd12::1', '::1', '::ffff:10.9.9.9', '::ffff:127.0.0.1']) {
    t.true(list.allows(address), address);
  }
  for (const address of ['127.0.0.2', '11.0.0.1', '192.168.1.1', 'fe80::1', '::2', '::ffff:11.0.0.1', 'localhost', '']) {
    t.false(list.allows(address), address);
  }
});

test('every bad entry is reported, each by name', (t) => {
  const parsed = parseAddressList('10.0.0.0/33,banana,1.2.3.4/8/8,::1/129,10.0.0.0/x,192.168.0.0/16');
  t.true('problems' in parsed);
  const problems = 'problems' in parsed ? parsed.problems : [];
  t.is(problems.length, 5);
  for (const entry of ['10.0.0.0/33', 'banana', '1.2.3.4/8/8', '::1/129', '10.0.0.0/x']) {
    t.true(problems.some((problem) => problem.includes(`'${entry}'`)), entry);
  }
  t.true('problems' in parseAddressList(' , '));
});
