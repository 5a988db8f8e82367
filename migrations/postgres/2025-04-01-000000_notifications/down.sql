ALTER TABLE rounds DROP COLUMN reminder_days;
DROP TABLE reminders_sent;
DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE comments;
