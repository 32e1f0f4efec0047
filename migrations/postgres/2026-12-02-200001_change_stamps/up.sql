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

-- Once per statement, before it touches a row: the counter's row lock is
-- then the first lock such a transaction takes, and writers of one kind
-- queue on it instead of deadlocking on each other's rows.
CREATE FUNCTION raise_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_stamps SET stamp = stamp + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;

CREATE TRIGGER holidays_stamp BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_stamp('calendar');
CREATE TRIGGER holiday_years_stamp BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON holiday_years
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_stamp('calendar');
CREATE TRIGGER users_stamp BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION raise_change_stamp('accounts');
