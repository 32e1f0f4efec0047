-- "Who heads this institution now" (the consistency check on every
-- agreement's page) is the signatory of its latest signed agreement on that
-- side: found at the top of these indexes, instead of by fetching every
-- agreement of the institution (an office has hundreds) to sort them.
CREATE INDEX agreements_first_signed ON agreements (first_institution_id, signed_on, id);
CREATE INDEX agreements_second_signed ON agreements (second_institution_id, signed_on, id);
