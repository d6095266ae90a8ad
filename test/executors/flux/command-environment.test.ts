/** What `flux` and the bridge inherit from jobgate: everything but its secrets. */
import test from 'ava';
import { commandEnvironment } from '../../../src/executors/flux/command-environment.js';

test('flux commands get jobgate environment without its secrets', (t) => {
  const env = commandEnvironment({
    FLUX_URI: 'local:///run/flux/local',
    PATH: '/usr/bin',
    PYTHONPATH: '/opt/flux/python',
    FLUX_SECRET_KEY: 'k',
    FLUX_TOKEN: 't',
    JOBGATE_TOKEN_SIGNING_KEY: 's',
    DB_PASSWORD: 'p',
    UNSET: undefined,
  });
  t.deepEqual(env, { FLUX_URI: 'local:///run/flux/local', PATH: '/usr/bin', PYTHONPATH: '/opt/flux/python' });
});
