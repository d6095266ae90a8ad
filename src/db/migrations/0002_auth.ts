/**
 * Users, access tokens and browser sessions. Tokens and sessions are rows so that they can be
 * revoked (deleting the row is revoking it) and die with their user (ON DELETE CASCADE).
 * Session ids are stored only as SHA-256 hashes: a copy of the database opens no session.
 */
export const sql = `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  password_hash TEXT    NOT NULL,              -- $scrypt$ln=..,r=..,p=..$salt$hash
  role          TEXT    NOT NULL CHECK (role IN ('superuser', 'user')),
  created_at    REAL    NOT NULL,
  updated_at    REAL    NOT NULL
) STRICT;

CREATE TABLE access_tokens (
  jti        TEXT    PRIMARY KEY,              -- the token's id claim
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issued_at  REAL    NOT NULL,
  expires_at REAL    NOT NULL
) STRICT;
CREATE INDEX access_tokens_user    ON access_tokens (user_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

CREATE TABLE sessions (
  id_hash    TEXT    PRIMARY KEY,              -- hex SHA-256 of the cookie value
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT    NOT NULL,
  created_at REAL    NOT NULL,
  expires_at REAL    NOT NULL
) STRICT;
CREATE INDEX sessions_user    ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
`;
