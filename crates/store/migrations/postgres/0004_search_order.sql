-- Name search in list order (PostgreSQL): the member search index orders each name's members
-- by their household's place in the list (head's sort key, household code, id), so that the
-- first page of a search reads, for each distinct name the query begins, only the first rows
-- of that name (a merge of a few short ordered runs) instead of sorting every match of a common
-- name. The place columns stay in the index for the area test, the member's number and name
-- for the page's "found by" names (index-only scans).
DROP INDEX member_search;
CREATE INDEX member_search ON member ((name_key COLLATE "C"), period, (head_sort COLLATE "C"),
    (household_code COLLATE "C"), household_id) INCLUDE (current_province, current_commune, member_no, full_name);
