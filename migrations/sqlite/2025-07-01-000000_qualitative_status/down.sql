DELETE FROM choices WHERE list = 'qualitative_status';
ALTER TABLE indicators DROP COLUMN status;
