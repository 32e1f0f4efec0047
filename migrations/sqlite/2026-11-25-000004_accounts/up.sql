-- Accounts (issue 5). token_version is raised by a password change or a
-- disable, which invalidates every token issued before.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    institution_id BIGINT REFERENCES institutions(id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_institution ON users(institution_id);

-- Every write, through the API or the CLI. Nothing in the application
-- deletes from it.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    agreement_id BIGINT,
    changes TEXT NOT NULL
);
CREATE INDEX audit_log_agreement ON audit_log(agreement_id, id);
