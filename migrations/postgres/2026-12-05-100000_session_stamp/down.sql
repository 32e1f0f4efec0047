DROP TRIGGER web_sessions_truncate_stamp ON web_sessions;
DROP TRIGGER web_sessions_stamp ON web_sessions;
DELETE FROM change_stamps WHERE name = 'sessions';
