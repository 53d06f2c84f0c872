-- Households a review did not survey keep the status of their last decision (issue 12): at a
-- commune's decision their last answers and class are copied into the round's period, marked
-- with the period they come from (NULL: surveyed in the period itself).
ALTER TABLE survey ADD COLUMN carried_from INTEGER;
