-- sark:destructive
-- Reverts 013_budgets_and_charges: drops the charge ledger (retries of earlier charges would be
-- charged again), the reservations (pending holds are lost) and the budgets' time zones (windows
-- fall back to UTC).
DROP FUNCTION sark_set_budget(text, boolean, numeric, boolean, numeric, text, text);
DROP FUNCTION sark_finish_reservation(text, boolean, numeric, jsonb, timestamptz);
DROP FUNCTION sark_reserve(text, text, text, text, numeric, text, interval, jsonb, timestamptz);
DROP FUNCTION sark_charge(text, text, text, text, numeric, numeric, text, jsonb, timestamptz);
DROP FUNCTION sark_audit_denial(text, text, numeric, numeric, jsonb);
DROP FUNCTION sark_limit_passed(principal_budgets, numeric, numeric);
DROP FUNCTION sark_reserved(text, timestamptz);
DROP FUNCTION sark_rolled_budget(principal_budgets, timestamptz);
DROP FUNCTION sark_lock_budget(text, text);
DROP FUNCTION sark_budget_windows(text, timestamptz);
DROP TABLE budget_reservations;
DROP TABLE cost_charges;
ALTER TABLE principal_budgets DROP CONSTRAINT ck_principal_budgets_time_zone_not_blank;
ALTER TABLE principal_budgets DROP COLUMN time_zone;
