DELETE FROM choices;
DROP TABLE pending_drafts;
DROP TABLE login_throttle;
