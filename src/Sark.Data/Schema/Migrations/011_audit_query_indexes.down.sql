-- sark:no-transaction
-- Reverts 011_audit_query_indexes: rebuilds 004's ix_audit_events_timestamp, then drops 011's two
-- indexes, all without blocking writes. No data is lost (an index holds none), so this down is not
-- destructive. Re-runnable: an interrupted build leaves an INVALID index, which IF NOT EXISTS would
-- accept, so a leftover is renamed and dropped first (as 009 and 011 do).

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'audit_events'::regclass AND c.relname = 'ix_audit_events_timestamp' AND NOT i.indisvalid)
       AND to_regclass('ix_audit_events_timestamp_invalid') IS NULL THEN
        ALTER INDEX ix_audit_events_timestamp RENAME TO ix_audit_events_timestamp_invalid;
    END IF;
END
$$;

DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_timestamp_invalid;
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_timestamp ON audit_events ("timestamp");
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_user_email;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_timestamp_id;
