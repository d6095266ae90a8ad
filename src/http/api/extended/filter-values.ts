/**
 * Reading filter values the same way from a query string and from a JSON body: lists (repeated
 * parameters or comma-separated), state and result names in any case (plus the groups
 * `pending` and `active`), tags as `type:name`, and times as epoch seconds or ISO 8601.
 */
import type { TagRef } from '../../../model/job-labels.js';
import { z } from 'zod';
import { ACTIVE_STATES, JOB_RESULTS, JOB_STATES, PENDING_STATES, type JobResult, type JobState } from '../../../model/job.js';
import { parseTagRef } from '../../../domain/job-labels.js';

const MAX_ITEMS = 100;

function items(value: unknown): unknown {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const flat = list.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]));
  const kept = flat.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
  return kept.length === 0 ? undefined : kept;
}

/** A list of strings: `x=a&x=b`, `x=a,b`, or a JSON array. */
export const stringList = (maxLength = 256) =>
  z.preprocess(items, z.array(z.string().min(1).max(maxLength)).max(MAX_ITEMS, { error: `at most ${MAX_ITEMS} values` }).optional());

const STATE_GROUPS: Record<string, readonly JobState[]> = { pending: PENDING_STATES, active: ACTIVE_STATES };

/** Upper-cases names and expands the groups, so the schema itself is a plain enum (and documents as one). */
function stateNames(value: unknown): unknown {
  const list = items(value);
  if (!Array.isArray(list)) return list;
  return [...new Set(list.flatMap((item: unknown): unknown[] => (typeof item === 'string' ? [...(STATE_GROUPS[item.toLowerCase()] ?? [item.toUpperCase()])] : [item])))];
}

export const stateList = () =>
  z.preprocess(stateNames, z.array(z.enum(JOB_STATES, { error: `not a state (${JOB_STATES.join(', ')}, or the groups pending, active)` })).max(MAX_ITEMS).optional()) as z.ZodType<JobState[] | undefined>;

export const resultList = () =>
  z.preprocess(
    (value) => {
      const list = items(value);
      return Array.isArray(list) ? list.map((item: unknown) => (typeof item === 'string' ? item.toUpperCase() : item)) : list;
    },
    z.array(z.enum(JOB_RESULTS, { error: `not a result (${JOB_RESULTS.join(', ')})` })).max(MAX_ITEMS).optional(),
  ) as z.ZodType<JobResult[] | undefined>;

/** Tags as `type:name` or `name` (any type), or JSON objects {type?, name}. */
export const tagList = () =>
  z.preprocess(
    (value) => {
      const list = Array.isArray(value) && value.some((item) => typeof item === 'object') ? value : items(value);
      return Array.isArray(list) ? list.map((item: unknown) => (typeof item === 'string' ? parseTagRef(item) : item)) : list;
    },
    z.array(z.strictObject({ type: z.string().min(1).max(64).optional(), name: z.string().min(1).max(128) })).max(MAX_ITEMS).optional(),
  ) as z.ZodType<TagRef[] | undefined>;

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const EPOCH = /^[+-]?\d{1,12}(\.\d+)?$/;

/** Epoch seconds or an ISO 8601 date or date-time (UTC unless it names an offset) → epoch seconds. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const text = value.trim();
  if (EPOCH.test(text)) {
    return Number(text);
  }
  const match = ISO.exec(text);
  if (match === null) {
    return undefined;
  }
  const hasTime = text.length > 10;
  const ms = Date.parse(hasTime && match[1] === undefined ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

const TIME_MESSAGE = 'expected epoch seconds or an ISO 8601 date-time (e.g. 2024-05-01T12:00:00Z)';

export const timeValue = () =>
  z.preprocess((value) => {
    const single = Array.isArray(value) ? value[value.length - 1] : value;
    if (single === undefined || single === null || single === '') return undefined;
    return parseTime(single) ?? single;
  }, z.number({ error: TIME_MESSAGE }).optional());
