-- Administration of departments and the plan in the browser.
-- Keep in step with ../../postgres.

-- Departments in the order lists show them; a merged one points at the one
-- it became (it stays, inactive, so the history and old sheets can name it).
ALTER TABLE departments ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE departments ADD COLUMN merged_into INTEGER REFERENCES departments(id);
UPDATE departments SET position = id;

-- A 推進項目 that is no longer used (kept for the sheets that name it).
ALTER TABLE focus_areas ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;

-- What a new year's blank sheet of the initiative starts with, and the first
-- fiscal year in which it no longer gets a sheet (NULL: still active).
ALTER TABLE initiatives ADD COLUMN related_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN plan_years TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN target_scope TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN retired_from INTEGER;

-- A final sheet is a record: the 所管課 and 関係課 it prints are frozen when it
-- becomes final (NULL while it is not), so a later rename or merge of a
-- department does not change it. 関係課 are one name per line.
ALTER TABLE sheets ADD COLUMN department_name TEXT;
ALTER TABLE sheets ADD COLUMN related_department_names TEXT;
UPDATE sheets SET department_name = (
    SELECT d.name FROM initiatives i JOIN departments d ON d.id = i.department_id
    WHERE i.id = sheets.initiative_id
) WHERE status = 'final';
UPDATE sheets SET related_department_names = COALESCE((SELECT group_concat(name, char(10)) FROM (SELECT d.name AS name FROM initiative_departments r JOIN departments d ON d.id = r.department_id WHERE r.initiative_id = sheets.initiative_id ORDER BY r.position)), '') WHERE status = 'final';
