-- The area index leads with the area, not the period: a lookup of one household in a period
-- (`period`, `household_id`) must use the primary key. With the period first, PostgreSQL chose
-- this index for such lookups while a second period was being imported (its statistics
-- predated the rows being added) and scanned the whole period for every household. Area
-- filters name the province with the commune (`Scope`, `Selection`), so both levels use it.
DROP INDEX survey_scope;
CREATE INDEX survey_scope ON survey (current_province, current_commune, period);

-- Lists in Vietnamese alphabetical order (head_sort, then code) read a province or the whole
-- country in index order and stop at the page: no sort of a million rows per page.
CREATE INDEX survey_list ON survey (period, head_sort, household_code, household_id);
-- Search by household code.
CREATE INDEX survey_code ON survey (period, household_code);
-- Lists of one class (poor, near-poor: a few percent of households) start from it.
CREATE INDEX classification_class ON classification (period, standard_id, class);

-- Search by name reads, scopes and sorts its matches from one index: each member row carries
-- its household's place, list order and household code (the importer and unit mappings keep
-- them equal to the survey's; `vuonlen db check` counts rows that differ). Looking up the
-- survey of each of a common name's thousands of matches cost ~5 µs a key.
ALTER TABLE member ADD COLUMN current_province TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN current_commune TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN head_sort TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN household_code TEXT NOT NULL DEFAULT '';
UPDATE member SET current_province = s.current_province, current_commune = s.current_commune,
    head_sort = s.head_sort, household_code = s.household_code
FROM survey s WHERE s.period = member.period AND s.household_id = member.household_id;
DROP INDEX member_name;
-- SQLite (a commune's or a district's registry on a laptop): the name and period only; the
-- matches' other columns are read from their rows.
CREATE INDEX member_search ON member (name_key, period);
