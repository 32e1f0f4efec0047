-- Calendar subscription (issue 10): one secret feed address per user. Only
-- the SHA-256 of the token is kept; the token itself is shown once.
CREATE TABLE feed_tokens (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- The date and SEQUENCE each calendar event was last served with: the
-- sequence rises when the date changes, so subscribed calendars update
-- the event instead of keeping the old one.
CREATE TABLE feed_events (
    uid TEXT PRIMARY KEY NOT NULL,
    due_on DATE NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL
);
