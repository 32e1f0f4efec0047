-- Drafting (issue 14). A draft moves draf -> ditinjau -> disetujui before it
-- is signed; the stage means nothing once signed_on is recorded.
ALTER TABLE agreements ADD COLUMN stage TEXT NOT NULL DEFAULT 'draf';
-- The PKS a renewal PKS takes over (an adendum names its PKS in amends_id).
ALTER TABLE agreements ADD COLUMN renews_id BIGINT;
CREATE INDEX agreements_renews ON agreements (renews_id) WHERE renews_id IS NOT NULL;

-- A legal officer who approves the office's drafts for signing.
ALTER TABLE users ADD COLUMN approver BOOLEAN NOT NULL DEFAULT 0;

-- Every save of a draft: the whole agreement as saved (the import shape).
CREATE TABLE agreement_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (agreement_id, number)
);

-- A draft's Juknis is numbered and dated when it is signed: both become
-- optional. SQLite cannot drop NOT NULL, so the table (and the one that
-- refers to it) is rebuilt; the dependent table goes first so that dropping
-- the old Juknis table cascades to nothing.
CREATE TABLE juknis_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements(id) ON DELETE CASCADE,
    number TEXT,
    date DATE,
    place TEXT,
    ip_lan TEXT,
    bandwidth TEXT,
    cost_bearer TEXT,
    estimated_connection TEXT,
    web_portal_ip TEXT,
    return_data_url TEXT,
    sam_activation_url TEXT,
    report_email TEXT
);
INSERT INTO juknis_new SELECT * FROM juknis;
CREATE TABLE juknis_people_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    juknis_id BIGINT NOT NULL REFERENCES juknis_new(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position_in_list INTEGER NOT NULL,
    side TEXT NOT NULL,
    name TEXT NOT NULL,
    position TEXT,
    nip TEXT,
    nik TEXT,
    phone TEXT,
    email TEXT
);
INSERT INTO juknis_people_new SELECT * FROM juknis_people;
DROP TABLE juknis_people;
DROP TABLE juknis;
ALTER TABLE juknis_new RENAME TO juknis;
ALTER TABLE juknis_people_new RENAME TO juknis_people;
CREATE INDEX juknis_people_juknis ON juknis_people(juknis_id);
