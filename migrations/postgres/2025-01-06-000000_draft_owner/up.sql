-- A pending draft now belongs to the user whose (expired) session posted it,
-- and only that user gets it back. Drafts kept so far were taken from anyone
-- without a login; they cannot be given an owner, so they are dropped.
DROP TABLE pending_drafts;

CREATE TABLE pending_drafts (
    token TEXT PRIMARY KEY NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The per-user cap counts by owner; expiry deletes by age.
CREATE INDEX pending_drafts_owner ON pending_drafts (owner_id);
CREATE INDEX pending_drafts_created ON pending_drafts (created_at);
