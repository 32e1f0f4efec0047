-- The years whose joint decree (SKB) is loaded. A date counted through any
-- other year is provisional. The shipped table fills a year once; after that
-- the office's own edits and deletions of that year stand.
CREATE TABLE holiday_years (
    year INTEGER PRIMARY KEY,
    decree TEXT,
    origin TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
-- A database from before this table holds the years it was given.
INSERT INTO holiday_years (year, decree, origin, loaded_at)
SELECT CAST(strftime('%Y', date) AS INTEGER), MAX(source), 'existing', CURRENT_TIMESTAMP
FROM holidays GROUP BY CAST(strftime('%Y', date) AS INTEGER);
