-- Name search in list order: PostgreSQL re-keys its member search index (see
-- postgres/0004_search_order.sql). SQLite keeps its narrow (name_key, period) index: it has no
-- LATERAL join to merge ordered runs, and a commune's or a district's matches are few enough
-- to sort. This migration keeps the two engines' versions equal.
SELECT 1;
