-- Browser sessions of the web pages (issue 12): held in the database so any
-- instance serves any request, and signing out, a password change (the
-- account's token_version moves) or a disabled account ends them at once.
-- Only the SHA-256 of the cookie's random token is kept.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_version INTEGER NOT NULL,
    csrf TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
