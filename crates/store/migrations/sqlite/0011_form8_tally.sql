-- Form 8 counts the recorded answers on support received and the local ethnic minority
-- (issue 12): the report cache's `subgroups` now carries them above the six subgroup bits.
-- Caches built before are dropped; the next report rebuilds each from the data.
DELETE FROM tally_state;
DELETE FROM tally;
