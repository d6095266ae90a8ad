/**
 * A job's environment: a small clean base taken from jobgate's own environment, plus the
 * job's envars. Nothing else of jobgate's environment reaches a job, so secrets such as
 * FLUX_SECRET_KEY, FLUX_TOKEN or signing keys can never leak into one.
 */
const BASE_NAMES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SHELL'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';

export function baseEnvironment(serverEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of BASE_NAMES) {
    const value = serverEnv[name];
    if (value !== undefined && value !== '') {
      base[name] = value;
    }
  }
  base.PATH ??= FALLBACK_PATH;
  base.LANG ??= 'C.UTF-8';
  return base;
}

export function jobEnvironment(base: Readonly<Record<string, string>>, envars: Readonly<Record<string, string>>): Record<string, string> {
  return { ...base, ...envars };
}
