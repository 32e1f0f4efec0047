DROP TABLE submissions;
DROP TABLE evidence_files;
DROP TABLE invitations;
ALTER TABLE users DROP COLUMN full_name;
