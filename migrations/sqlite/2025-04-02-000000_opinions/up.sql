-- 推進委員会意見: the committee's opinion on a sheet as HQ records it, the
-- department's reply (対応・今後の方針), and whether HQ closed it.
CREATE TABLE opinions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    opinion TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    -- open | closed
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    replied_at TIMESTAMP,
    closed_at TIMESTAMP
);
CREATE INDEX opinions_sheet ON opinions (sheet_id);
