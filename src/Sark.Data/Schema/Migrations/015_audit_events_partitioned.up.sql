-- sark:no-transaction
-- audit_events becomes range-partitioned by month on "timestamp" (audit_events_pYYYYMM, created
-- ahead by sark maintain, plus audit_events_default), keeping every row without rewriting any: the
-- existing table is renamed audit_events_legacy and attached as the partition of everything before
-- a cutoff (the month boundary two months after the later of its newest row and now), so retention
-- can later drop it whole. How the strong lock is kept short on a table with millions of rows:
--   1. the unique index (id, "timestamp") the partitioned primary key needs is built CONCURRENTLY
--      beforehand (writes go on); the legacy partition keeps its own primary key on id as well;
--   2. a CHECK ("timestamp" < cutoff) is added NOT VALID and validated under a lock that lets
--      writes go on, so the attach below trusts it instead of scanning the table again;
--   3. one statement (one transaction, under the runner's lock_timeout) swaps the tables: the
--      legacy table and its indexes are renamed, the partitioned parent is created LIKE it (every
--      column, type, default and CHECK, whatever the v1 variant), its indexes are created under the
--      old names while it is empty, and the attach adopts the legacy table's indexes as partitions
--      of them instead of building new ones. Catalog work only: it takes well under a second.
-- No transaction, each statement on its own (CONCURRENTLY needs that), so every statement is
-- re-runnable: an interrupted index build is dropped and rebuilt, a CHECK left by an interrupted
-- run is reused while its cutoff is at least a week away, and once audit_events is partitioned
-- the DO blocks do nothing. The index build cannot be in a DO block and, once audit_events is
-- partitioned (a run killed after the swap committed, before the journal row was written), would
-- fail on it ("cannot create index on partitioned table ... concurrently"); so a re-run points the
-- name audit_events at an empty temporary table for that one statement (see below).

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'audit_events'::regclass AND NOT i.indisvalid
                 AND c.relname = 'audit_events_legacy_id_timestamp_key')
       AND to_regclass('audit_events_legacy_id_timestamp_key_invalid') IS NULL THEN
        ALTER INDEX audit_events_legacy_id_timestamp_key RENAME TO audit_events_legacy_id_timestamp_key_invalid;
    END IF;
END
$$;

DROP INDEX CONCURRENTLY IF EXISTS audit_events_legacy_id_timestamp_key_invalid;

-- Re-run after the swap: a temporary table of the same name hides the partitioned one from the
-- index build below (the session's temporary schema is searched first), which then builds its
-- index on that empty table, and the DROP after it removes both. A temporary table dies with its
-- session, so a kill between the two leaves nothing behind.
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
        CREATE TEMPORARY TABLE IF NOT EXISTS audit_events (id uuid, "timestamp" timestamptz);
        IF 'audit_events'::regclass <> 'pg_temp.audit_events'::regclass THEN
            RAISE EXCEPTION 'audit_events is already partitioned, but search_path puts pg_temp after its schema'
                USING HINT = 'run sark db migrate with the default search_path (without pg_temp in it)';
        END IF;
    END IF;
END
$$;

-- Unique because id alone is (the primary key); it becomes the legacy partition's part of the
-- partitioned primary key (id, "timestamp").
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS audit_events_legacy_id_timestamp_key ON audit_events (id, "timestamp");

-- Names only the temporary schema: never the real table.
-- squawk-ignore ban-drop-table
DROP TABLE IF EXISTS pg_temp.audit_events;

-- The cutoff: two months past the later of the newest row and now, so rows written while the
-- migration runs (and for a month after, should it be interrupted and left) still pass the CHECK.
DO $$
DECLARE
    zone text := current_setting('TimeZone');
    newest timestamptz;
    kept timestamptz;
    cutoff timestamptz;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
        RETURN;
    END IF;
    PERFORM set_config('TimeZone', 'UTC', true);
    SELECT substring(pg_get_constraintdef(oid) FROM '''([^'']+)''')::timestamptz INTO kept
    FROM pg_constraint WHERE conrelid = 'audit_events'::regclass AND conname = 'ck_audit_events_legacy_range';
    IF kept IS NOT NULL AND kept < now() + interval '7 days' THEN
        ALTER TABLE audit_events DROP CONSTRAINT ck_audit_events_legacy_range;
        kept := NULL;
    END IF;
    IF kept IS NULL THEN
        SELECT max("timestamp") INTO newest FROM audit_events;
        IF newest = 'infinity' THEN
            RAISE EXCEPTION 'audit_events holds rows with timestamp ''infinity'', which no monthly partition can take'
                USING HINT = 'give those rows a real timestamp, then run sark db migrate again';
        END IF;
        cutoff := (date_trunc('month', greatest(newest, now()) AT TIME ZONE 'UTC') + interval '2 months') AT TIME ZONE 'UTC';
        EXECUTE format('ALTER TABLE audit_events ADD CONSTRAINT ck_audit_events_legacy_range CHECK ("timestamp" < %L) NOT VALID', cutoff);
    END IF;
    PERFORM set_config('TimeZone', zone, true);
END
$$;

-- Scans the table under SHARE UPDATE EXCLUSIVE: reads and writes go on. Does nothing once valid.
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'r' THEN
        ALTER TABLE audit_events VALIDATE CONSTRAINT ck_audit_events_legacy_range;
    END IF;
END
$$;

DO $$
DECLARE
    zone text := current_setting('TimeZone');
    cutoff timestamptz;
    pk_name text;
    source record;
    grant_row record;
    index_defs text[] := '{}';
    legacy_names text[] := '{}';
    owner_name text;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
        RETURN;
    END IF;
    PERFORM set_config('TimeZone', 'UTC', true);
    LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;

    SELECT substring(pg_get_constraintdef(oid) FROM '''([^'']+)''')::timestamptz INTO cutoff
    FROM pg_constraint
    WHERE conrelid = 'audit_events'::regclass AND conname = 'ck_audit_events_legacy_range' AND convalidated;
    IF cutoff IS NULL OR NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'audit_events'::regclass AND c.relname = 'audit_events_legacy_id_timestamp_key' AND i.indisvalid) THEN
        RAISE EXCEPTION 'audit_events is not ready to be partitioned (its range CHECK or its (id, "timestamp") index is missing or not valid)'
            USING HINT = 'run sark db migrate again; it rebuilds what is missing';
    END IF;
    -- A view or rule on audit_events would silently follow the rename to the legacy partition.
    IF EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
               WHERE d.refobjid = 'audit_events'::regclass AND d.classid = 'pg_rewrite'::regclass) THEN
        RAISE EXCEPTION 'a view or rule depends on audit_events; drop it before this migration and recreate it after';
    END IF;

    SELECT conname INTO pk_name FROM pg_constraint WHERE conrelid = 'audit_events'::regclass AND contype = 'p';
    -- The parent gets every valid index under its name, except the primary key (replaced by
    -- (id, "timestamp")) and unique indexes, which a partitioned table allows only with "timestamp".
    FOR source IN
        SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'audit_events'::regclass AND i.indisvalid AND NOT i.indisunique
        ORDER BY c.relname
    LOOP
        index_defs := index_defs || source.def;
        legacy_names := legacy_names || source.name;
    END LOOP;
    SELECT pg_get_userbyid(relowner) INTO owner_name FROM pg_class WHERE oid = 'audit_events'::regclass;

    ALTER TABLE audit_events RENAME TO audit_events_legacy;
    IF pk_name IS NOT NULL THEN
        EXECUTE format('ALTER TABLE audit_events_legacy RENAME CONSTRAINT %I TO audit_events_legacy_pkey', pk_name);
    END IF;
    FOR i IN 1 .. coalesce(array_length(legacy_names, 1), 0) LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', legacy_names[i], left(
            CASE WHEN legacy_names[i] LIKE '%audit_events%'
                 THEN regexp_replace(legacy_names[i], 'audit_events', 'audit_events_legacy')
                 ELSE legacy_names[i] || '_legacy' END, 63));
    END LOOP;
    ALTER TABLE audit_events_legacy
        ADD CONSTRAINT audit_events_legacy_id_timestamp_key UNIQUE USING INDEX audit_events_legacy_id_timestamp_key;

    CREATE TABLE audit_events (
        LIKE audit_events_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS
    ) PARTITION BY RANGE ("timestamp");
    ALTER TABLE audit_events DROP CONSTRAINT ck_audit_events_legacy_range;
    ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id, "timestamp");
    -- The parent has no partition yet: each index is created empty and valid, under its old name.
    FOR i IN 1 .. coalesce(array_length(index_defs, 1), 0) LOOP
        EXECUTE index_defs[i];
    END LOOP;
    FOR grant_row IN
        SELECT a.privilege_type, a.grantee, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'audit_events_legacy'::regclass
    LOOP
        EXECUTE format('GRANT %s ON audit_events TO %s%s', grant_row.privilege_type,
            CASE WHEN grant_row.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(grant_row.grantee)) END,
            CASE WHEN grant_row.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF owner_name <> current_user THEN
        EXECUTE format('ALTER TABLE audit_events OWNER TO %I', owner_name);
    END IF;

    -- The valid CHECK spares the scan; the legacy indexes match the parent's and are attached.
    EXECUTE format('ALTER TABLE audit_events ATTACH PARTITION audit_events_legacy FOR VALUES FROM (MINVALUE) TO (%L)', cutoff);
    -- Rows for a month without a partition land here; sark maintain moves them out.
    CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
    PERFORM set_config('TimeZone', zone, true);
END
$$;

-- Refuses to let the journal record this migration unless the parent and every index are in place.
DO $$
DECLARE
    invalid text;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) <> 'p' THEN
        RAISE EXCEPTION 'audit_events is not partitioned' USING HINT = 'run sark db migrate again';
    END IF;
    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO invalid
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'audit_events'::regclass AND NOT i.indisvalid;
    IF invalid IS NOT NULL THEN
        RAISE EXCEPTION 'audit_events indexes not valid: %', invalid USING HINT = 'run sark db migrate again';
    END IF;
END
$$;
