-- Failed logins per key: 'login:<id>' or 'addr:<client address>'.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure_at TIMESTAMP NOT NULL
);

-- What a user posted when the session had expired, kept until they log in again.
CREATE TABLE pending_drafts (
    token TEXT PRIMARY KEY NOT NULL,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

INSERT INTO choices (list, position, value, active) VALUES
    ('progress', 1, '順調', 1),
    ('progress', 2, 'やや遅れ', 1),
    ('progress', 3, '遅れ', 1),
    ('evaluation', 1, '継続推進', 1),
    ('evaluation', 2, '拡充', 1),
    ('evaluation', 3, '見直し', 1),
    ('evaluation', 4, '縮小', 1),
    ('evaluation', 5, '統合', 1),
    ('evaluation', 6, '完了', 1),
    ('evaluation', 7, '休止・廃止', 1),
    ('method', 1, '定量', 1),
    ('method', 2, '定性', 1),
    ('schedule', 1, '検討', 1),
    ('schedule', 2, '実施', 1),
    ('schedule', 3, '検討・実施', 1),
    ('schedule', 4, '調査・検討', 1),
    ('schedule', 5, '試行実施', 1),
    ('schedule', 6, '試行実施検証', 1),
    ('schedule', 7, '完了', 1);
