/** Labels on jobs: tags (type, name), key/value metadata, and the record of a hold. */

export interface JobTag {
  type: string;
  name: string;
}

/** A tag in a filter or a removal: without a type it means that name under any type. */
export interface TagRef {
  type?: string;
  name: string;
}

export interface HoldRecord {
  reason: string;
  heldBy: string;
  /** Epoch seconds. */
  t: number;
  /** Urgency the job had before the hold; release restores it. */
  previousUrgency: number;
}

export interface JobLabels {
  tags: JobTag[];
  metadata: Record<string, string>;
  hold: HoldRecord | null;
}

export interface TagCount extends JobTag {
  jobs: number;
}
