-- `sessions`: the browser sessions a server remembers between requests.
-- A session row is only ever inserted or deleted (signing out, expired
-- ones dropped); a new session changes no remembered one, so the counter
-- moves when a row is deleted or changed, and a server that remembers a
-- session reads it again once it has.
INSERT INTO change_stamps (name, stamp) VALUES ('sessions', 0);

CREATE TRIGGER web_sessions_update_stamp AFTER UPDATE ON web_sessions
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'sessions'; END;
CREATE TRIGGER web_sessions_delete_stamp AFTER DELETE ON web_sessions
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'sessions'; END;
