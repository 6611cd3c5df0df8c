-- sark:no-transaction
-- Indexes the five audit_events columns added by 007 without blocking writes: audit_events is a v1
-- table that holds millions of rows in production, so each index is built CONCURRENTLY, which
-- cannot run in a transaction. Until 009 existed, 007 built these indexes with plain CREATE INDEX;
-- a database that ran that 007 already has them valid, and every statement below leaves them alone.
--
-- Re-runnable: an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index under its name,
-- which IF NOT EXISTS would accept. So a leftover invalid index is first renamed to <name>_invalid
-- (the rename locks only the index, never the table) and dropped CONCURRENTLY; the last statement
-- refuses to finish while any of the five is missing or invalid.

DO $$
DECLARE
    leftover record;
BEGIN
    FOR leftover IN
        SELECT c.relname AS name
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'audit_events'::regclass
          AND NOT i.indisvalid
          AND c.relname IN ('ix_audit_events_correlation_id', 'ix_audit_events_principal_org',
                            'ix_audit_events_source_node', 'ix_audit_events_target_node',
                            'ix_audit_events_capability_id')
          AND to_regclass(c.relname || '_invalid') IS NULL
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', leftover.name, leftover.name || '_invalid');
    END LOOP;
END
$$;

DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_correlation_id_invalid;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_principal_org_invalid;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_source_node_invalid;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_target_node_invalid;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_capability_id_invalid;

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_correlation_id ON audit_events (correlation_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_principal_org ON audit_events (principal_org);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_source_node ON audit_events (source_node);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_target_node ON audit_events (target_node);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_capability_id ON audit_events (capability_id);

-- IF NOT EXISTS skips an index that exists under the name whatever its state; make sure all five
-- are usable before the journal records 009.
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(wanted.name, ', ' ORDER BY wanted.name) INTO missing
    FROM unnest(ARRAY['ix_audit_events_correlation_id', 'ix_audit_events_principal_org',
                      'ix_audit_events_source_node', 'ix_audit_events_target_node',
                      'ix_audit_events_capability_id']) AS wanted(name)
    WHERE NOT EXISTS (
        SELECT 1
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'audit_events'::regclass AND c.relname = wanted.name AND i.indisvalid);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'audit_events indexes missing or invalid: %', missing
            USING HINT = 'run sark db migrate again; it drops invalid leftovers and rebuilds them';
    END IF;
END
$$;
