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
    ('progress', 1, '順調', TRUE),
    ('progress', 2, 'やや遅れ', TRUE),
    ('progress', 3, '遅れ', TRUE),
    ('evaluation', 1, '継続推進', TRUE),
    ('evaluation', 2, '拡充', TRUE),
    ('evaluation', 3, '見直し', TRUE),
    ('evaluation', 4, '縮小', TRUE),
    ('evaluation', 5, '統合', TRUE),
    ('evaluation', 6, '完了', TRUE),
    ('evaluation', 7, '休止・廃止', TRUE),
    ('method', 1, '定量', TRUE),
    ('method', 2, '定性', TRUE),
    ('schedule', 1, '検討', TRUE),
    ('schedule', 2, '実施', TRUE),
    ('schedule', 3, '検討・実施', TRUE),
    ('schedule', 4, '調査・検討', TRUE),
    ('schedule', 5, '試行実施', TRUE),
    ('schedule', 6, '試行実施検証', TRUE),
    ('schedule', 7, '完了', TRUE);
