DROP TRIGGER web_sessions_delete_stamp;
DROP TRIGGER web_sessions_update_stamp;
DELETE FROM change_stamps WHERE name = 'sessions';
