-- Every text field of a sheet as one row per field (key from the field registry,
-- src/domain/field.rs), so a new field needs no new column. Empty texts are not stored.
-- Keep in step with ../../sqlite.
CREATE TABLE sheet_texts (
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (sheet_id, field)
);

INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'related_plan', related_plan FROM sheets WHERE related_plan <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'plan_years', plan_years FROM sheets WHERE plan_years <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'target_scope', target_scope FROM sheets WHERE target_scope <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'related_initiatives', related_initiatives FROM sheets WHERE related_initiatives <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'special_notes', special_notes FROM sheets WHERE special_notes <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'content', content FROM sheets WHERE content <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'plan_for_year', plan_for_year FROM sheets WHERE plan_for_year <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'h1_actions', h1_actions FROM sheets WHERE h1_actions <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'h1_progress', h1_progress FROM sheets WHERE h1_progress <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'h2_plan', h2_plan FROM sheets WHERE h2_plan <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'h2_actions', h2_actions FROM sheets WHERE h2_actions <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'effects', effects FROM sheets WHERE effects <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'issues', issues FROM sheets WHERE issues <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'dept_evaluation', dept_evaluation FROM sheets WHERE dept_evaluation <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'dept_reason', dept_reason FROM sheets WHERE dept_reason <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'hq_evaluation', hq_evaluation FROM sheets WHERE hq_evaluation <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'hq_comment', hq_comment FROM sheets WHERE hq_comment <> '';
INSERT INTO sheet_texts (sheet_id, field, text) SELECT id, 'next_year', next_year FROM sheets WHERE next_year <> '';

ALTER TABLE sheets DROP COLUMN related_plan;
ALTER TABLE sheets DROP COLUMN plan_years;
ALTER TABLE sheets DROP COLUMN target_scope;
ALTER TABLE sheets DROP COLUMN related_initiatives;
ALTER TABLE sheets DROP COLUMN special_notes;
ALTER TABLE sheets DROP COLUMN content;
ALTER TABLE sheets DROP COLUMN plan_for_year;
ALTER TABLE sheets DROP COLUMN h1_actions;
ALTER TABLE sheets DROP COLUMN h1_progress;
ALTER TABLE sheets DROP COLUMN h2_plan;
ALTER TABLE sheets DROP COLUMN h2_actions;
ALTER TABLE sheets DROP COLUMN effects;
ALTER TABLE sheets DROP COLUMN issues;
ALTER TABLE sheets DROP COLUMN dept_evaluation;
ALTER TABLE sheets DROP COLUMN dept_reason;
ALTER TABLE sheets DROP COLUMN hq_evaluation;
ALTER TABLE sheets DROP COLUMN hq_comment;
ALTER TABLE sheets DROP COLUMN next_year;
