-- Drafting (issue 14). A draft moves draf -> ditinjau -> disetujui before it
-- is signed; the stage means nothing once signed_on is recorded.
ALTER TABLE agreements ADD COLUMN stage TEXT NOT NULL DEFAULT 'draf';
-- The PKS a renewal PKS takes over (an adendum names its PKS in amends_id).
ALTER TABLE agreements ADD COLUMN renews_id BIGINT;
CREATE INDEX agreements_renews ON agreements (renews_id) WHERE renews_id IS NOT NULL;

-- A legal officer who approves the office's drafts for signing.
ALTER TABLE users ADD COLUMN approver BOOLEAN NOT NULL DEFAULT FALSE;

-- Every save of a draft: the whole agreement as saved (the import shape).
CREATE TABLE agreement_versions (
    id BIGSERIAL PRIMARY KEY,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (agreement_id, number)
);

-- A draft's Juknis is numbered and dated when it is signed.
ALTER TABLE juknis ALTER COLUMN number DROP NOT NULL;
ALTER TABLE juknis ALTER COLUMN date DROP NOT NULL;
