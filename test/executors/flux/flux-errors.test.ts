/** Flux's refusals (recorded stderr of its commands, and the Python API's words) → API errors. */
import test from 'ava';
import { fluxMessage, toExecutorError } from '../../../src/executors/flux/flux-errors.js';
import { recorded } from './recordings.js';

const kind = (text: string): string => `${toExecutorError(text).kind}: ${toExecutorError(text).message}`;

test('errors: cancel of an unknown or inactive job', (t) => {
  t.is(kind(recorded('16-errors.json', 'flux cancel 123').stderr), 'unknown: unknown job id');
  t.is(kind(recorded('16-errors.json', "flux cancel 'ƒ3uF7Vrf'").stderr), 'inactive: job is inactive');
  t.is(kind('unknown job id'), 'unknown: unknown job id');
});

test('errors: urgency refusals', (t) => {
  t.is(kind(recorded('16-errors.json', 'flux job urgency 123 default').stderr), 'unknown: unknown job');
  t.is(kind(recorded('08-lifecycle-held-then-released.json', "flux job urgency 'ƒ7DbGKTV' default").stderr), 'inactive: job is inactive');
  t.is(kind('flux-job: ƒ6ac2EgX: urgency cannot be changed once resources are allocated'), 'conflict: urgency cannot be changed once resources are allocated');
  t.is(kind(recorded('16-errors.json', "flux job urgency 'ƒ3uF7Vrf' 99").stderr), 'invalid: urgency value is out of range');
});

test('errors: submit refusals keep Flux words; a lost broker is "unavailable"', (t) => {
  const [empty, , , missingDuration, emptyCommand] = ['{bad json', '{}', '', 'dur', 'cmd'].map((_unused, index) => recorded('16-errors.json', 'flux job submit', index).stderr);
  t.is(kind(missingDuration ?? ''), 'invalid: attributes.system.duration is a required key');
  t.is(kind(emptyCommand ?? ''), 'invalid: command array cannot have length of zero');
  t.true((empty ?? '').includes('invalid JSON'));
  t.is(toExecutorError(recorded('16-errors.json', 'FLUX_URI=local:///nonexistent/socket flux jobs').stderr).kind, 'unavailable');
  t.is(toExecutorError('Connection reset by peer').kind, 'unavailable');
  t.is(fluxMessage('[Errno 22] urgency range is [0:31]'), 'urgency range is [0:31]');
});
