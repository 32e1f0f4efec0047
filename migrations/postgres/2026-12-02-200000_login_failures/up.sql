-- Failed sign-ins (issue 11), in the database so that every instance counts
-- the same ones: after 5 per user name or 20 per client address within 15
-- minutes, sign-in waits. One row per failure and key; the key is the
-- SHA-256 of the name or address, so a password typed into the name field is
-- not kept readable. Rows older than the window are deleted as new ones come.
CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, key_hash, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
