-- The template set (templates/documents/<set>) an issuing office words its documents with; NULL is the default set.
ALTER TABLE institutions ADD COLUMN document_set TEXT;
