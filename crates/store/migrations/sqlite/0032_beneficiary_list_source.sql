-- A beneficiary list's source of funds (issue 14): support delivered against the list names it,
-- so it counts under the budget line of its year, project and source. NULL: none given.
ALTER TABLE beneficiary_list ADD COLUMN source TEXT;
