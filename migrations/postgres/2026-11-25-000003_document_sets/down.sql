ALTER TABLE institutions DROP COLUMN document_set;
