/**
 * What a job's page shows to manage it: the scheduling controls (hold, release, priority: only
 * while the job is pending, else disabled with the reason) and its tags and metadata. Values stay
 * plain text: the templates escape them.
 */
import { PENDING_STATES, URGENCY, type JobRecord } from '../../model/job.js';
import type { JobLabels } from '../../model/job-labels.js';
import { isHeld } from '../presenters/job-labels.js';
import { utcText, visible } from './job-view.js';

export interface TagView {
  /** As it is typed: `name` for the default type, else `type:name`. */
  text: string;
  /** Always `type:name` (what a removal names). */
  value: string;
}

export interface ControlView {
  held: boolean;
  urgency: number;
  /** Why hold, release and priority cannot be used now ('' while the job is pending). */
  disabledReason: string;
  hold: { reason: string; by: string; time: string; when: string } | null;
}

const URGENCY_CHOICES = [
  { value: URGENCY.hold, label: '0 — hold' },
  { value: 8, label: '8 — low' },
  { value: URGENCY.default, label: '16 — default' },
  { value: 24, label: '24 — high' },
  { value: URGENCY.expedite, label: '31 — expedite' },
];

/** The urgencies a person picks from (any 0-31 works through the API and the CLI), the job's own included. */
export function urgencyChoices(current: number): { value: number; label: string }[] {
  const choices = URGENCY_CHOICES.some((choice) => choice.value === current) ? URGENCY_CHOICES : [...URGENCY_CHOICES, { value: current, label: String(current) }];
  return [...choices].sort((a, b) => a.value - b.value);
}

export function tagViews(labels: JobLabels): TagView[] {
  return labels.tags.map((tag) => ({ text: visible(tag.type === 'default' ? tag.name : `${tag.type}:${tag.name}`), value: `${tag.type}:${tag.name}` }));
}

export function metadataRows(labels: JobLabels): { key: string; value: string }[] {
  return Object.entries(labels.metadata).map(([key, value]) => ({ key, value: visible(value) }));
}

export function controlView(job: JobRecord, labels: JobLabels): ControlView {
  const held = isHeld(job);
  const pending = PENDING_STATES.includes(job.state);
  const disabledReason = pending
    ? ''
    : job.state === 'INACTIVE'
      ? 'The job has ended: there is nothing to hold, release or reprioritize.'
      : `The job is ${job.state === 'RUN' ? 'running' : 'cleaning up'}: only pending jobs can be held, released or given another priority.`;
  const hold = held && labels.hold !== null
    ? { reason: visible(labels.hold.reason), by: labels.hold.heldBy, time: new Date(labels.hold.t * 1000).toISOString(), when: utcText(labels.hold.t) }
    : null;
  return { held, urgency: job.urgency, disabledReason, hold };
}
