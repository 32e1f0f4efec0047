-- What a server keeps in memory and must see changed by another instance or
-- the CLI (issue 11): a counter per kind, raised by the database itself
-- whenever a table behind it is written, whoever writes it. `calendar`: the
-- holidays and decree years the working-day calendar is made of; `accounts`:
-- the users a server remembers for a second between requests. A server reads
-- the counters on each request and reloads what changed.
CREATE TABLE change_stamps (
    name TEXT PRIMARY KEY NOT NULL,
    stamp BIGINT NOT NULL
);
INSERT INTO change_stamps (name, stamp) VALUES ('calendar', 0), ('accounts', 0);

CREATE TRIGGER holidays_insert_stamp AFTER INSERT ON holidays
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;
CREATE TRIGGER holidays_update_stamp AFTER UPDATE ON holidays
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;
CREATE TRIGGER holidays_delete_stamp AFTER DELETE ON holidays
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;

CREATE TRIGGER holiday_years_insert_stamp AFTER INSERT ON holiday_years
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;
CREATE TRIGGER holiday_years_update_stamp AFTER UPDATE ON holiday_years
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;
CREATE TRIGGER holiday_years_delete_stamp AFTER DELETE ON holiday_years
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'calendar'; END;

CREATE TRIGGER users_insert_stamp AFTER INSERT ON users
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER users_update_stamp AFTER UPDATE ON users
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER users_delete_stamp AFTER DELETE ON users
BEGIN UPDATE change_stamps SET stamp = stamp + 1 WHERE name = 'accounts'; END;
