-- A 定性 indicator's status for its sheet's year (issue 12), picked from the
-- 'qualitative_status' choice list; NULL = not chosen yet. Not carried
-- forward: each year's sheet states its own status.
ALTER TABLE indicators ADD COLUMN status TEXT;

-- The default list, which HQ edits on the 選択肢 page like the others.
INSERT INTO choices (list, position, value, active) VALUES
    ('qualitative_status', 1, '達成', 1),
    ('qualitative_status', 2, '概ね達成', 1),
    ('qualitative_status', 3, '一部達成', 1),
    ('qualitative_status', 4, '未着手', 1);
