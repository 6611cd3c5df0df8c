-- sark:destructive
-- Reverts 012_cost_currency: drops cost_tracking.currency and its CHECK. Destroys the currency of
-- every cost row (rows charged in a currency other than 'USD' can no longer be told apart).
ALTER TABLE cost_tracking DROP COLUMN currency;
