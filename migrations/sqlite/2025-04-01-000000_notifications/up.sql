-- Comments on a sheet (optionally pinned to one field), notifications shown in
-- hyoka, the outbox of mails the background sender delivers, the reminders
-- already sent, and each round's reminder days.

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    -- A field registry key, or NULL for the whole sheet.
    field TEXT,
    -- The comment this one answers (threads are one level deep).
    parent_id INTEGER REFERENCES comments(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES users(id)
);
CREATE INDEX comments_sheet ON comments (sheet_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sheet_id INTEGER REFERENCES sheets(id),
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);

-- Written in the same transaction as the action that caused it, so a rolled
-- back action sends nothing. status: pending | sending | sent | failed.
-- A sender claims a row with a conditional UPDATE (pending and due, or a
-- claim that lapsed), so two servers on one database send it once.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Path of the sheet; the sender puts HYOKA_PUBLIC_URL in front.
    link TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claim TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- One row per reminder sent: the key makes a second one impossible.
CREATE TABLE reminders_sent (
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    -- 'before-3', 'before-1', 'overdue'
    kind TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sheet_id, round_id, kind)
);

-- Days before the deadline on which reminders go out, e.g. '3,1'.
ALTER TABLE rounds ADD COLUMN reminder_days TEXT NOT NULL DEFAULT '3,1';
