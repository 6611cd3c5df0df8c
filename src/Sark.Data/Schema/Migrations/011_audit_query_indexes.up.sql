-- sark:no-transaction
-- Indexes for reading the audit trail (AuditLog, sark audit query), built CONCURRENTLY because
-- audit_events is a live v1 table with millions of rows; CONCURRENTLY cannot run in a transaction.
--   ix_audit_events_timestamp_id: the keyset order of every listing, newest first by ("timestamp", id).
--     The 004 index on "timestamp" alone leaves ties to a sort, and a batch of events shares one
--     timestamp: on 200,000 rows with a 20,000-event batch, a page inside the batch read all of it
--     (7.4 ms); with this index it reads one page (0.2 ms).
--   ix_audit_events_user_email: a principal given as an email; without it a sequential scan
--     (32 ms on 200,000 rows, growing with the table), with it 0.4 ms.
-- Then drops 004's ix_audit_events_timestamp: the new index's leading column serves every query
-- on "timestamp" alone, and each appended event updates one index fewer (the trail's appends are
-- its hot path: 14 indexes before, 13 after).
--
-- Re-runnable as 009 is: an interrupted build leaves an INVALID index under its name, which IF NOT
-- EXISTS would accept, so a leftover is renamed to <name>_invalid (locking only the index) and
-- dropped CONCURRENTLY; the last statement refuses to finish while either index is missing or invalid.

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
          AND c.relname IN ('ix_audit_events_timestamp_id', 'ix_audit_events_user_email')
          AND to_regclass(c.relname || '_invalid') IS NULL
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', leftover.name, leftover.name || '_invalid');
    END LOOP;
END
$$;

DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_timestamp_id_invalid;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_user_email_invalid;

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_timestamp_id ON audit_events ("timestamp", id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_events_user_email ON audit_events (user_email);

-- IF NOT EXISTS skips an index that exists under the name whatever its state; make sure both are
-- usable before the journal records 011.
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(wanted.name, ', ' ORDER BY wanted.name) INTO missing
    FROM unnest(ARRAY['ix_audit_events_timestamp_id', 'ix_audit_events_user_email']) AS wanted(name)
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

-- Only once the replacement is valid (the check above): a query on "timestamp" is never left
-- without an index. IF EXISTS makes a re-run, or an interrupted drop's invalid leftover, harmless.
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_timestamp;
