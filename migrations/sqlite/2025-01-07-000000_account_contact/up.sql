-- An optional e-mail address for notifications, the user's own choice to get
-- no mail, and a flag that makes the user choose a new password at the next
-- login (after an administrator reset it to a one-time password).
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN mail_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
