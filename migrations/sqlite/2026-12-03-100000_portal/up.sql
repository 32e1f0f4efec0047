-- The OPD portal (issue 13). An invited person signs in with their e-mail
-- address as user name; the account keeps the name they were invited by.
ALTER TABLE users ADD COLUMN full_name TEXT;

-- Single-use links that let a person choose a password: an invitation or a
-- "forgot password". Only the SHA-256 of the link's random token is kept.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX invitations_user ON invitations (user_id);

-- Evidence files, stored under their SHA-256 in the object store; one row
-- per distinct content.
CREATE TABLE evidence_files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- An agency's upload against one obligation, and Dukcapil's decision on it.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    obligation_key TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES evidence_files(sha256),
    file_name TEXT NOT NULL,
    details TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX submissions_agreement ON submissions (agreement_id, obligation_key);
CREATE INDEX submissions_state ON submissions (state);
CREATE INDEX submissions_file ON submissions (sha256);
