-- Support received linked to the plan activity that delivered it (issue 14): with its project and
-- source of funds (the budget line of its unit and year), what paid for it.
ALTER TABLE support_record ADD COLUMN activity_id INTEGER;   -- → plan_activity (id)
