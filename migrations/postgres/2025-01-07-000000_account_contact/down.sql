ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN mail_opt_out;
ALTER TABLE users DROP COLUMN email;
