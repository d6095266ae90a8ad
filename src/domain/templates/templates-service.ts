/**
 * Job templates: kept in the store, readable by their owner (and by everyone when shared),
 * changed only by their owner or a superuser, and turned into jobs with a submitter's
 * parameters. A job made from a template carries the tag `template:<name>`, so the listing can
 * find every job a template made.
 */
import type { JobTemplate } from '../../model/template.js';
import type { TagRef } from '../../model/job-labels.js';
import { AppError, conflict, notFound, validationError } from '../../errors.js';
import type { TemplatesRepository } from '../../db/templates-repository.js';
import type { JobLabelsRepository } from '../../db/job-labels-repository.js';
import type { Actor, JobRecord } from '../../model/job.js';
import type { JobService } from '../jobs-service.js';
import { checkMetadata, checkTags, DEFAULT_TAG_TYPE } from '../job-labels.js';
import { normalizeDefinition, type TemplateCreate, type TemplateReplace } from './template-definition.js';
import { blameParameters, renderTemplate } from './template-render.js';
import type { ParameterValue } from './template-values.js';

const TEMPLATE_TAG_TYPE = 'template';

export interface TemplatesDeps {
  repo: TemplatesRepository;
  labels: JobLabelsRepository;
  jobs: JobService;
  now: () => number;
  changed: () => void;
}

export interface TemplateSubmit {
  params?: Record<string, unknown>;
  tags?: TagRef[];
  metadata?: Record<string, string>;
}

function canSeeTemplate(actor: Actor, template: JobTemplate): boolean {
  return actor.superuser || template.shared || template.owner === actor.name;
}

export class TemplatesService {
  constructor(private readonly deps: TemplatesDeps) {}

  list(actor: Actor): JobTemplate[] {
    return this.deps.repo.list(actor.superuser ? undefined : actor.name);
  }

  get(name: string, actor: Actor): JobTemplate {
    const template = this.deps.repo.get(name);
    if (template === undefined || !canSeeTemplate(actor, template)) {
      throw notFound(`There is no template ${name}`);
    }
    return template;
  }

  create(input: TemplateCreate, actor: Actor): JobTemplate {
    const normalized = normalizeDefinition(input);
    if ('errors' in normalized) {
      throw validationError(normalized.errors);
    }
    const t = this.deps.now();
    const template: JobTemplate = {
      name: input.name,
      owner: actor.name,
      shared: input.shared ?? false,
      description: input.description ?? '',
      definition: normalized.definition,
      revision: 1,
      createdAt: t,
      updatedAt: t,
    };
    if (!this.deps.repo.insert(template)) {
      throw conflict(`a template named ${input.name} already exists`);
    }
    this.deps.changed();
    return template;
  }

  private changeable(name: string, actor: Actor): JobTemplate {
    const template = this.get(name, actor);
    if (!actor.superuser && template.owner !== actor.name) {
      throw new AppError(403, 'FORBIDDEN', `template ${name} belongs to ${template.owner}; only they or a superuser may change it`);
    }
    return template;
  }

  replace(name: string, input: TemplateReplace, actor: Actor): JobTemplate {
    if (input.name !== undefined && input.name !== name) {
      throw validationError([{ field: 'name', message: 'differs from the name in the path (templates are not renamed; create a new one)' }]);
    }
    const current = this.changeable(name, actor);
    const normalized = normalizeDefinition(input);
    if ('errors' in normalized) {
      throw validationError(normalized.errors);
    }
    const change = { shared: input.shared ?? false, description: input.description ?? '', definition: normalized.definition, updatedAt: this.deps.now() };
    this.deps.repo.update(name, change);
    this.deps.changed();
    return { ...current, ...change, revision: current.revision + 1 };
  }

  remove(name: string, actor: Actor): void {
    this.changeable(name, actor);
    this.deps.repo.remove(name);
    this.deps.changed();
  }

  /** Submits a job from a template as the actor; problems name the parameter (`params.<name>`). */
  async submit(name: string, actor: Actor, request: TemplateSubmit): Promise<{ job: JobRecord; values: Record<string, ParameterValue> }> {
    const template = this.get(name, actor);
    const tags = request.tags ?? [];
    const metadata = request.metadata ?? {};
    const rendered = renderTemplate(template.definition, request.params ?? {});
    const problems = [...('errors' in rendered ? rendered.errors : []), ...checkTags(tags, 'tags'), ...checkMetadata(metadata, 'metadata')];
    if (problems.length > 0 || 'errors' in rendered) {
      throw validationError(problems, `template ${name}: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    }
    let job: JobRecord;
    try {
      job = await this.deps.jobs.submit(rendered.input, actor);
    } catch (error: unknown) {
      if (error instanceof AppError && error.code === 'VALIDATION_ERROR') {
        const details = blameParameters(error.details, rendered.fieldParameters);
        throw validationError(details, `template ${name}: ${details.map((detail) => `${detail.field}: ${detail.message}`).join('; ')}`);
      }
      throw error;
    }
    const t = this.deps.now();
    this.deps.labels.transaction(() => {
      this.deps.labels.addTags(job.id, [{ type: TEMPLATE_TAG_TYPE, name }, ...tags.map((tag) => ({ type: tag.type ?? DEFAULT_TAG_TYPE, name: tag.name }))], t);
      this.deps.labels.setMetadata(job.id, metadata, t);
    });
    this.deps.changed();
    return { job, values: rendered.values };
  }
}
