-- sark:no-transaction
-- The currency of every cost row. SPEC §5 refuses a charge in a currency other than its budget's,
-- and sums only mean something within one currency: summaries and rollups group by it.
-- Existing rows get 'USD', principal_budgets' default currency, which is what they were charged in.
--
-- No transaction, each statement on its own: adding a column with a constant default is a catalog
-- change (no rewrite), and the CHECK is added NOT VALID and validated afterwards, so the scan of a
-- large cost_tracking holds only a lock that lets writes go on. Re-runnable: the column and the
-- constraint are added only when missing, and validating a valid constraint does nothing.

-- An ISO 4217 code is always three letters (the CHECK), so char(3) pads nothing; the same type as
-- principal_budgets.currency, so the two compare without a cast.
-- squawk-ignore ban-char-field
ALTER TABLE cost_tracking ADD COLUMN IF NOT EXISTS currency char(3) NOT NULL DEFAULT 'USD';

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'cost_tracking'::regclass AND conname = 'ck_cost_tracking_currency') THEN
        ALTER TABLE cost_tracking ADD CONSTRAINT ck_cost_tracking_currency CHECK (currency ~ '^[A-Z]{3}$') NOT VALID;
    END IF;
END
$$;

-- Validating a constraint that is already valid does nothing, so a re-run after a failure here is safe.
-- squawk-ignore prefer-robust-stmts
ALTER TABLE cost_tracking VALIDATE CONSTRAINT ck_cost_tracking_currency;
