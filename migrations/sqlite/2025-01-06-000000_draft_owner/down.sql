DROP TABLE pending_drafts;

CREATE TABLE pending_drafts (
    token TEXT PRIMARY KEY NOT NULL,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
