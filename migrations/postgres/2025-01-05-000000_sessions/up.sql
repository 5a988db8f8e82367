-- One row per logged-in browser. The cookie carries a random id; only its
-- SHA-256 is stored, so reading this table does not let anyone log in.
-- Logging out, `hyoka user passwd`, deactivating an account and 「他の端末を
-- すべてログアウト」 delete rows; a browser whose row is gone is logged out.
CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The rest of the session's state (the CSRF token), as JSON.
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    -- Absolute end: created_at + HYOKA_SESSION_HOURS at login.
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
