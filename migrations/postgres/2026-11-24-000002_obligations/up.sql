-- Obligations: the holiday table, waivers, SAM returns, and the reminder outbox.

CREATE TABLE holidays (
    date DATE PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT
);

CREATE TABLE obligation_waivers (
    id BIGSERIAL PRIMARY KEY,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    obligation_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    waived_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (agreement_id, obligation_key)
);

CREATE TABLE sam_returns (
    id BIGSERIAL PRIMARY KEY,
    agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements(id) ON DELETE CASCADE,
    returned_on DATE NOT NULL,
    note TEXT
);

-- One row per message: (obligation, occasion, recipient) is unique and is
-- stored before sending, so a reminder is sent once whatever runs it.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    agreement_id BIGINT REFERENCES agreements(id) ON DELETE CASCADE,
    obligation_key TEXT,
    occasion TEXT NOT NULL,
    due_on DATE,
    recipient TEXT NOT NULL,
    cc TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_agreement ON outbox(agreement_id);

-- Bumped by every registry write; caches of derived data (the dashboard)
-- compare it instead of re-reading everything.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);
