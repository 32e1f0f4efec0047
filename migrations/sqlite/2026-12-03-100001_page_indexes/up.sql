-- Reads of the pages (issue 12) that scanned whole tables on 100,000
-- agreements: the consistency check's "who heads this institution now"
-- (every party row of an institution on a side), and the lists' choice of
-- Dukcapil offices (institutions of the dukcapil kinds).
CREATE INDEX agreement_parties_institution ON agreement_parties (institution_id, side);
CREATE INDEX institutions_kind ON institutions (kind);
