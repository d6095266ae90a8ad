/** Named API keys: long-lived credentials for automation, each belonging to one user. */

export interface ApiKeyRecord {
  id: number;
  userId: number;
  /** Unique per user; how the owner names it when listing or revoking. */
  name: string;
  /** The key's first characters, enough to tell keys apart; never enough to use one. */
  prefix: string;
  /** A read-only key may list, read and follow, never change anything. */
  readOnly: boolean;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds; null: valid until revoked. */
  expiresAt: number | null;
  lastUsedAt: number | null;
}

/** Key names are typed on command lines and shown in listings. */
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
