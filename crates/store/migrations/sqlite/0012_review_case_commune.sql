-- The review steps and the decision filter a round's cases by commune (and stage): an index
-- that leads with them (review_case_place leads with the province, which those statements do
-- not bind; SQLite then read every case of the round for each statement — docs/benchmarks.md §8).
CREATE INDEX review_case_commune ON review_case (round_id, current_commune, stage);
