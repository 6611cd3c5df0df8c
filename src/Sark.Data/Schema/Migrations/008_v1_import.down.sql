-- sark:destructive
-- Drops the v1->v2 tool's bookkeeping; afterwards its rollback can no longer tell which v2 rows it wrote.

DROP TABLE v1_import_issues;
DROP TABLE v1_import_provenance;
DROP TABLE v1_import_runs;

-- The trigger function as 006 created it.
CREATE OR REPLACE FUNCTION sark_set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- Stamp the change time unless the statement itself assigned updated_at (the v1->v2 import
    -- keeps v1 timestamps that way).
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;
