/** Tags, metadata and hold reasons of jobs (the filters over them: `label-conditions.ts`). */
import { Repository } from './repository.js';
import { stringifyJson } from '../lib/json.js';
import type { JobId } from '../model/job-id.js';
import type { HoldRecord, JobLabels, JobTag, TagCount } from '../model/job-labels.js';

const EMPTY: JobLabels = { tags: [], metadata: {}, hold: null };

export class JobLabelsRepository extends Repository {



  /** Adds tags (those already there stay as they were); returns how many were new. */
  addTags(id: JobId, tags: readonly JobTag[], t: number): number {
    const insert = this.statement('INSERT INTO job_tags (job_id, type, name, t) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    return tags.reduce((added, tag) => added + insert.run(id, tag.type, tag.name, t).changes, 0);
  }

  /** Removes tags; a tag given without a type removes that name whatever its type. */
  removeTags(id: JobId, tags: readonly { type?: string; name: string }[]): number {
    const typed = this.statement('DELETE FROM job_tags WHERE job_id = ? AND type = ? AND name = ?');
    const any = this.statement('DELETE FROM job_tags WHERE job_id = ? AND name = ?');
    return tags.reduce((removed, tag) => removed + (tag.type === undefined ? any.run(id, tag.name) : typed.run(id, tag.type, tag.name)).changes, 0);
  }

  tagCount(id: JobId): number {
    return Number(this.statement('SELECT COUNT(*) FROM job_tags WHERE job_id = ?').pluck().get(id));
  }

  /** Sets (string) or removes (null) metadata keys. */
  setMetadata(id: JobId, entries: Readonly<Record<string, string | null>>, t: number): void {
    const upsert = this.statement('INSERT INTO job_metadata (job_id, key, value, t) VALUES (?, ?, ?, ?) ON CONFLICT (job_id, key) DO UPDATE SET value = excluded.value, t = excluded.t');
    const remove = this.statement('DELETE FROM job_metadata WHERE job_id = ? AND key = ?');
    for (const [key, value] of Object.entries(entries)) {
      if (value === null) {
        remove.run(id, key);
      } else {
        upsert.run(id, key, value, t);
      }
    }
  }

  clearMetadata(id: JobId): void {
    this.statement('DELETE FROM job_metadata WHERE job_id = ?').run(id);
  }

  metadataKeys(id: JobId): string[] {
    return this.statement('SELECT key FROM job_metadata WHERE job_id = ?').pluck().all(id) as string[];
  }

  setHold(id: JobId, hold: HoldRecord): void {
    this.statement(
      'INSERT INTO job_holds (job_id, reason, held_by, t, previous_urgency) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (job_id) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, t = excluded.t',
    ).run(id, hold.reason, hold.heldBy, hold.t, hold.previousUrgency);
  }

  clearHold(id: JobId): void {
    this.statement('DELETE FROM job_holds WHERE job_id = ?').run(id);
  }

  labelsOf(id: JobId): JobLabels {
    return this.labelsFor([id]).get(id) ?? EMPTY;
  }

  /** Tags, metadata and hold of many jobs in three queries (a page of a listing). */
  labelsFor(ids: readonly JobId[]): Map<JobId, JobLabels> {
    const found = new Map<JobId, JobLabels>();
    if (ids.length === 0) {
      return found;
    }
    // Exact integers in JSON: json_each hands them to SQLite as 64-bit integers.
    const list = stringifyJson(ids);
    const entry = (id: bigint): JobLabels => {
      let labels = found.get(id);
      if (labels === undefined) {
        labels = { tags: [], metadata: {}, hold: null };
        found.set(id, labels);
      }
      return labels;
    };
    const inList = 'job_id IN (SELECT value FROM json_each(?))';
    for (const row of this.statement(`SELECT job_id, type, name FROM job_tags WHERE ${inList} ORDER BY job_id, type, name`, true).all(list) as { job_id: bigint; type: string; name: string }[]) {
      entry(row.job_id).tags.push({ type: row.type, name: row.name });
    }
    for (const row of this.statement(`SELECT job_id, key, value FROM job_metadata WHERE ${inList} ORDER BY job_id, key`, true).all(list) as { job_id: bigint; key: string; value: string }[]) {
      entry(row.job_id).metadata[row.key] = row.value;
    }
    const holds = this.statement(`SELECT job_id, reason, held_by, t, previous_urgency FROM job_holds WHERE ${inList}`, true).all(list) as {
      job_id: bigint; reason: string; held_by: string; t: number; previous_urgency: bigint;
    }[];
    for (const row of holds) {
      entry(row.job_id).hold = { reason: row.reason, heldBy: row.held_by, t: Number(row.t), previousUrgency: Number(row.previous_urgency) };
    }
    return found;
  }

  /** Tags in use with how many jobs carry each (only the owner's jobs when `visibleTo` is set). */
  tagCounts(visibleTo: string | undefined): TagCount[] {
    const rows = visibleTo === undefined
      ? this.statement('SELECT type, name, COUNT(*) AS jobs FROM job_tags GROUP BY type, name ORDER BY type, name').all()
      : this.statement('SELECT g.type, g.name, COUNT(*) AS jobs FROM job_tags g JOIN jobs j ON j.id = g.job_id WHERE j.owner = ? GROUP BY g.type, g.name ORDER BY g.type, g.name').all(visibleTo);
    return (rows as { type: string; name: string; jobs: number }[]).map((row) => ({ type: row.type, name: row.name, jobs: Number(row.jobs) }));
  }
}
