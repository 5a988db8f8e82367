-- 推進委員会意見 on a whole 推進項目 of one fiscal year. HQ names the one
-- department that answers (対応・今後の方針), chosen among those owning a
-- sheet in the area that year, so a single reply has a single author.
CREATE TABLE area_opinions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES focus_areas(id),
    fiscal_year INTEGER NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    opinion TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    -- open | closed
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    replied_at TIMESTAMP,
    closed_at TIMESTAMP
);
CREATE INDEX area_opinions_area_year ON area_opinions (area_id, fiscal_year);
