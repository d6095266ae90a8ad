/**
 * Named API keys for automation, and what an access token was issued for.
 *
 * A key is stored only as the SHA-256 of its text (see auth/api-keys.ts for why a fast hash is
 * right for a random key); `prefix` is the key's first characters, shown in listings so an
 * owner can tell keys apart without the store holding anything usable. A token obtained with a
 * key (`grant_type=client_credentials`) remembers the key, so revoking the key ends its tokens
 * too (ON DELETE CASCADE), and whether it is read-only.
 */
export const sql = `
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  prefix       TEXT    NOT NULL,
  key_hash     TEXT    NOT NULL UNIQUE,         -- hex SHA-256 of the key
  read_only    INTEGER NOT NULL DEFAULT 0,
  created_at   REAL    NOT NULL,
  expires_at   REAL,                            -- NULL: until revoked
  last_used_at REAL,
  UNIQUE (user_id, name)
) STRICT;

ALTER TABLE access_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE access_tokens ADD COLUMN api_key_id INTEGER REFERENCES api_keys (id) ON DELETE CASCADE;
CREATE INDEX access_tokens_api_key ON access_tokens (api_key_id);
`;
