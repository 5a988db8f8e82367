-- Indicators that mean something (issue 12). direction: 'increase' | 'decrease'
-- | 'maintain' | 'qualitative', NULL = proposed from 当初値 and 目標値.
ALTER TABLE indicators ADD COLUMN direction TEXT;

-- Per plan: how 達成率 is computed (rule: 'progress' | 'ratio' | 'pro_rata')
-- and whether the printed sheets carry trend charts (off: the paper layout).
CREATE TABLE indicator_settings (
    plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
    rule TEXT NOT NULL,
    print_charts BOOLEAN NOT NULL DEFAULT FALSE
);

-- Per plan: the rating bands HQ edits. min_percent NULL = the lowest band.
CREATE TABLE indicator_bands (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    symbol TEXT NOT NULL,
    colour TEXT NOT NULL,
    min_percent DOUBLE PRECISION,
    UNIQUE (plan_id, position)
);
