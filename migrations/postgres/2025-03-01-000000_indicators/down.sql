DROP TABLE indicator_bands;
DROP TABLE indicator_settings;
ALTER TABLE indicators DROP COLUMN direction;
