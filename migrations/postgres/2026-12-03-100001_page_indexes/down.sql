DROP INDEX institutions_kind;
DROP INDEX agreement_parties_institution;
