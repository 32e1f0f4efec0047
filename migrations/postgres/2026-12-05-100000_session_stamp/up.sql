-- `sessions`: the browser sessions a server remembers between requests.
-- A session row is only ever inserted or deleted (signing out, expired
-- ones dropped); a new session changes no remembered one, so the counter
-- moves when a row is deleted or changed, and a server that remembers a
-- session reads it again once it has. Per row, unlike the other counters:
-- every sign-in runs a delete of its user's expired sessions, which mostly
-- finds none and must then neither move the counter nor queue on its lock.
INSERT INTO change_stamps (name, stamp) VALUES ('sessions', 0);

CREATE TRIGGER web_sessions_stamp AFTER UPDATE OR DELETE ON web_sessions
    FOR EACH ROW EXECUTE FUNCTION raise_change_stamp('sessions');
CREATE TRIGGER web_sessions_truncate_stamp BEFORE TRUNCATE ON web_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_stamp('sessions');
