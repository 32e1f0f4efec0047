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
SELECT CAST(EXTRACT(YEAR FROM date) AS INTEGER), MAX(source), 'existing', CAST(NOW() AT TIME ZONE 'UTC' AS TIMESTAMP)
FROM holidays GROUP BY CAST(EXTRACT(YEAR FROM date) AS INTEGER);
