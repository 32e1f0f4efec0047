-- Registry core: institutions, people, agreements and everything an agreement holds.
-- Same statements as the PostgreSQL set, with SQLite's rowid primary keys.

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    short_name TEXT,
    kind TEXT NOT NULL,
    region_code TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    parent_id BIGINT REFERENCES institutions(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX institutions_parent ON institutions(parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    position TEXT,
    nip TEXT,
    nik TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX people_nip ON people(nip);
CREATE INDEX people_nik ON people(nik);
CREATE INDEX people_name ON people(name);

CREATE TABLE data_elements (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    protected BOOLEAN NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    amends_id BIGINT REFERENCES agreements(id),
    amends_number TEXT,
    title TEXT NOT NULL,
    purpose TEXT,
    signed_on DATE,
    signed_place TEXT,
    expires_on DATE,
    terminated_on DATE,
    termination_reason TEXT,
    termination_note TEXT,
    approval_number TEXT,
    approval_date DATE,
    approval_subject TEXT,
    iso27001_months INTEGER NOT NULL,
    iso27001_due_on DATE,
    report_months TEXT NOT NULL,
    report_deadline_working_days INTEGER NOT NULL,
    renewal_notice_months INTEGER NOT NULL,
    card_reader BOOLEAN NOT NULL,
    first_institution_id BIGINT NOT NULL REFERENCES institutions(id),
    second_institution_id BIGINT NOT NULL REFERENCES institutions(id),
    renewal_window_starts_on DATE,
    renewed_on DATE,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_first ON agreements(first_institution_id);
CREATE INDEX agreements_second ON agreements(second_institution_id);
CREATE INDEX agreements_expires ON agreements(expires_on);
CREATE INDEX agreements_amends ON agreements(amends_id);
CREATE INDEX agreements_window ON agreements(renewal_window_starts_on);

CREATE TABLE agreement_parties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    institution_id BIGINT NOT NULL REFERENCES institutions(id),
    number TEXT,
    recital TEXT,
    signatory_id BIGINT REFERENCES people(id),
    UNIQUE (agreement_id, side)
);
CREATE INDEX agreement_parties_number ON agreement_parties(number);
CREATE INDEX agreement_parties_signatory ON agreement_parties(signatory_id);

CREATE TABLE legal_bases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX legal_bases_agreement ON legal_bases(agreement_id);

CREATE TABLE return_data_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item TEXT NOT NULL
);
CREATE INDEX return_data_items_agreement ON return_data_items(agreement_id);

CREATE TABLE access_scopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    daily_quota INTEGER,
    unlimited_after_poc BOOLEAN NOT NULL,
    UNIQUE (agreement_id, method)
);

CREATE TABLE scope_elements (
    scope_id BIGINT NOT NULL REFERENCES access_scopes(id) ON DELETE CASCADE,
    element_code TEXT NOT NULL REFERENCES data_elements(code),
    position INTEGER NOT NULL,
    PRIMARY KEY (scope_id, element_code)
);

CREATE TABLE juknis (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    date DATE NOT NULL,
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

CREATE TABLE juknis_people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    juknis_id BIGINT NOT NULL REFERENCES juknis(id) ON DELETE CASCADE,
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
CREATE INDEX juknis_people_juknis ON juknis_people(juknis_id);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    poc_status TEXT NOT NULL,
    poc_request_number TEXT,
    poc_request_date DATE,
    poc_scheduled_on DATE,
    poc_result_number TEXT,
    poc_result_date DATE
);
CREATE INDEX applications_agreement ON applications(agreement_id);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    signer_id BIGINT NOT NULL REFERENCES people(id),
    signed_on DATE,
    meterai BOOLEAN NOT NULL,
    covers_renewal BOOLEAN NOT NULL
);
CREATE INDEX statements_agreement ON statements(agreement_id);
CREATE INDEX statements_signer ON statements(signer_id);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    number TEXT,
    issuer TEXT,
    issued_on DATE,
    valid_until DATE,
    submitted_on DATE
);
CREATE INDEX certificates_agreement ON certificates(agreement_id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    semester INTEGER NOT NULL,
    submitted_on DATE,
    channel TEXT,
    nik_hits BIGINT,
    return_data_rows BIGINT,
    evaluated_on DATE,
    evaluation TEXT,
    UNIQUE (agreement_id, year, semester)
);

CREATE TABLE renewals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id BIGINT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    requested_on DATE NOT NULL,
    request_number TEXT,
    request_date DATE
);
CREATE INDEX renewals_agreement ON renewals(agreement_id);
