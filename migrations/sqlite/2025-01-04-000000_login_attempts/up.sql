-- One row per login attempt counted against a throttle key (a login id or a
-- client address), written in the same transaction that decides the lock and
-- before the password is checked, so parallel guesses cannot all pass the check.
-- A client address's rows count only within a window; a login id's until a
-- successful login or an unlock. Keep in step with ../../postgres.
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts (key, attempted_at);

-- The failures counted so far become rows, stamped with the key's last failure.
WITH RECURSIVE n(i) AS (
    SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT MAX(failures) FROM login_throttle)
)
INSERT INTO login_attempts (key, attempted_at)
SELECT t.key, t.last_failure_at FROM login_throttle t JOIN n ON n.i <= t.failures;
