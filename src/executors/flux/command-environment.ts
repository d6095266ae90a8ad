/**
 * The environment of `flux` commands and the bridge: jobgate's own (they need FLUX_URI, PATH,
 * PYTHONPATH, LD_LIBRARY_PATH...) without jobgate's secrets. Jobs never get it: their
 * environment travels explicitly in the jobspec.
 */
const SECRET_NAMES = new Set(['FLUX_SECRET_KEY', 'FLUX_TOKEN', 'JOBGATE_TOKEN_SIGNING_KEY']);
const SECRET_PATTERN = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|SIGNING_KEY)/i;

export function commandEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !SECRET_NAMES.has(name) && !SECRET_PATTERN.test(name)) {
      result[name] = value;
    }
  }
  return result;
}
