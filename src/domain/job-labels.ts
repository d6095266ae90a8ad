/**
 * Tags (type, name) and key/value metadata on jobs: the vocabulary, its limits, and the
 * service that changes them for whoever may see the job (others get the same 404 as for a job
 * that does not exist). Filters over labels are JobFilter's typed `tags`, `metadata` and `held`.
 */
import type { FieldError } from '../errors.js';
import { validationError } from '../errors.js';
import type { JobId } from '../model/job-id.js';
import type { JobLabelsRepository } from '../db/job-labels-repository.js';
import type { JobLabels, TagCount, TagRef } from '../model/job-labels.js';
import type { Actor } from '../model/job.js';
import type { JobService } from './jobs-service.js';

export const DEFAULT_TAG_TYPE = 'default';
const LABEL_LIMITS = { tagsPerJob: 64, metadataKeys: 64, typeLength: 64, nameLength: 128, keyLength: 64, valueLength: 4096 } as const;
const TAG_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const METADATA_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function tagTypeProblem(type: string): string | null {
  if (type.length === 0 || type.length > LABEL_LIMITS.typeLength || !TAG_TYPE.test(type)) {
    return `a tag type is 1-${LABEL_LIMITS.typeLength} letters, digits, '_', '.' or '-'`;
  }
  return null;
}

function tagNameProblem(name: string): string | null {
  if (name.trim().length === 0 || name.length > LABEL_LIMITS.nameLength || CONTROL.test(name) || name !== name.trim()) {
    return `a tag name is 1-${LABEL_LIMITS.nameLength} characters without control characters or surrounding spaces`;
  }
  return null;
}

function metadataKeyProblem(key: string): string | null {
  if (key.length === 0 || key.length > LABEL_LIMITS.keyLength || !METADATA_KEY.test(key)) {
    return `a metadata key is 1-${LABEL_LIMITS.keyLength} letters, digits, '_', '.', ':' or '-'`;
  }
  return null;
}

function metadataValueProblem(value: string): string | null {
  return value.length > LABEL_LIMITS.valueLength ? `a metadata value has at most ${LABEL_LIMITS.valueLength} characters` : null;
}

/** Reads `type:name` (or a bare `name`) as a tag reference; the type is before the first colon. */
export function parseTagRef(text: string): TagRef {
  const colon = text.indexOf(':');
  return colon <= 0 ? { name: text.slice(colon + 1) } : { type: text.slice(0, colon), name: text.slice(colon + 1) };
}

export function checkTags(tags: readonly TagRef[], field: string): FieldError[] {
  const problems: FieldError[] = [];
  tags.forEach((tag, index) => {
    const typeProblem = tag.type === undefined ? null : tagTypeProblem(tag.type);
    const nameProblem = tagNameProblem(tag.name);
    if (typeProblem !== null) problems.push({ field: `${field}[${index}].type`, message: typeProblem });
    if (nameProblem !== null) problems.push({ field: `${field}[${index}].name`, message: nameProblem });
  });
  return problems;
}

export function checkMetadata(entries: Readonly<Record<string, string | null>>, field: string): FieldError[] {
  const problems: FieldError[] = [];
  for (const [key, value] of Object.entries(entries)) {
    const keyProblem = metadataKeyProblem(key);
    const valueProblem = value === null ? null : metadataValueProblem(value);
    if (keyProblem !== null) problems.push({ field: `${field}.${key}`, message: keyProblem });
    if (valueProblem !== null) problems.push({ field: `${field}.${key}`, message: valueProblem });
  }
  return problems;
}

export interface JobLabelsDeps {
  repo: JobLabelsRepository;
  jobs: JobService;
  now: () => number;
  /** Called after every change (HTTP validators). */
  changed: () => void;
}

export class JobLabelsService {
  constructor(private readonly deps: JobLabelsDeps) {}

  get(id: JobId, actor: Actor): JobLabels {
    this.deps.jobs.get(id, actor);
    return this.deps.repo.labelsOf(id);
  }

  /** Labels of jobs already known to be visible (a page of a listing). */
  labelsFor(ids: readonly JobId[]): Map<JobId, JobLabels> {
    return this.deps.repo.labelsFor(ids);
  }

  tags(actor: Actor): TagCount[] {
    return this.deps.repo.tagCounts(actor.superuser ? undefined : actor.name);
  }

  addTags(id: JobId, actor: Actor, tags: readonly TagRef[]): JobLabels {
    this.deps.jobs.get(id, actor);
    const problems = checkTags(tags, 'tags');
    if (problems.length > 0) {
      throw validationError(problems);
    }
    const complete = tags.map((tag) => ({ type: tag.type ?? DEFAULT_TAG_TYPE, name: tag.name }));
    this.deps.repo.transaction(() => {
      this.deps.repo.addTags(id, complete, this.deps.now());
      if (this.deps.repo.tagCount(id) > LABEL_LIMITS.tagsPerJob) {
        // Thrown inside the transaction: nothing is added.
        throw validationError([{ field: 'tags', message: `a job has at most ${LABEL_LIMITS.tagsPerJob} tags` }]);
      }
    });
    this.deps.changed();
    return this.deps.repo.labelsOf(id);
  }

  removeTags(id: JobId, actor: Actor, tags: readonly TagRef[]): JobLabels {
    this.deps.jobs.get(id, actor);
    const problems = checkTags(tags, 'tags');
    if (problems.length > 0) {
      throw validationError(problems);
    }
    this.deps.repo.transaction(() => this.deps.repo.removeTags(id, tags));
    this.deps.changed();
    return this.deps.repo.labelsOf(id);
  }

  /** Merges metadata (RFC 7396 style: a null value removes the key); `replace` drops every other key first. */
  setMetadata(id: JobId, actor: Actor, entries: Readonly<Record<string, string | null>>, replace = false): JobLabels {
    this.deps.jobs.get(id, actor);
    const problems = checkMetadata(entries, 'metadata');
    if (problems.length > 0) {
      throw validationError(problems);
    }
    this.deps.repo.transaction(() => {
      if (replace) {
        this.deps.repo.clearMetadata(id);
      }
      this.deps.repo.setMetadata(id, entries, this.deps.now());
      if (this.deps.repo.metadataKeys(id).length > LABEL_LIMITS.metadataKeys) {
        throw validationError([{ field: 'metadata', message: `a job has at most ${LABEL_LIMITS.metadataKeys} metadata keys` }]);
      }
    });
    this.deps.changed();
    return this.deps.repo.labelsOf(id);
  }
}
