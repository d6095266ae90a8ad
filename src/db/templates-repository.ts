/** Job templates: one row each, the definition as JSON, a revision counted up on every change. */
import { Repository } from './repository.js';
import type { JobTemplate, TemplateDefinition } from '../model/template.js';

interface TemplateRow {
  name: string;
  owner: string;
  shared: number;
  description: string;
  definition: string;
  revision: number;
  created_at: number;
  updated_at: number;
}

function fromRow(row: TemplateRow): JobTemplate {
  return {
    name: row.name,
    owner: row.owner,
    shared: row.shared !== 0,
    description: row.description,
    definition: JSON.parse(row.definition) as TemplateDefinition,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class TemplatesRepository extends Repository {


  get(name: string): JobTemplate | undefined {
    const row = this.statement('SELECT * FROM job_templates WHERE name = ?').get(name) as TemplateRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every template (`visibleTo` undefined), or those a user owns or that are shared. */
  list(visibleTo: string | undefined): JobTemplate[] {
    const rows = visibleTo === undefined
      ? this.statement('SELECT * FROM job_templates ORDER BY name').all()
      : this.statement('SELECT * FROM job_templates WHERE owner = ? OR shared = 1 ORDER BY name').all(visibleTo);
    return (rows as TemplateRow[]).map(fromRow);
  }

  /** Inserts; false when the name is taken. */
  insert(template: JobTemplate): boolean {
    const info = this.statement(
      'INSERT INTO job_templates (name, owner, shared, description, definition, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ).run(template.name, template.owner, template.shared ? 1 : 0, template.description, JSON.stringify(template.definition), template.revision, template.createdAt, template.updatedAt);
    return info.changes === 1;
  }

  update(name: string, change: Pick<JobTemplate, 'shared' | 'description' | 'definition' | 'updatedAt'>): void {
    this.statement('UPDATE job_templates SET shared = ?, description = ?, definition = ?, updated_at = ?, revision = revision + 1 WHERE name = ?')
      .run(change.shared ? 1 : 0, change.description, JSON.stringify(change.definition), change.updatedAt, name);
  }

  remove(name: string): void {
    this.statement('DELETE FROM job_templates WHERE name = ?').run(name);
  }
}
