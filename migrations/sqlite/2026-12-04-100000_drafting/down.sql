DROP TABLE agreement_versions;
DROP INDEX agreements_renews;
ALTER TABLE agreements DROP COLUMN renews_id;
ALTER TABLE agreements DROP COLUMN stage;
ALTER TABLE users DROP COLUMN approver;
