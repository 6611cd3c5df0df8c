-- Reverts 015_audit_events_partitioned: audit_events becomes one plain table again, holding the rows
-- of every partition, with its primary key on id and the same indexes under the same names.
-- Not destructive: no row is lost. The legacy partition is detached and becomes the table again
-- (its indexes keep their data and get their names back), and the rows of the monthly and default
-- partitions are copied into it before those are dropped. If retention dropped the legacy
-- partition, an empty one is attached first (below every other partition) so the parent gives it
-- its indexes. Rows of two partitions sharing an id (possible once the key is (id, "timestamp"))
-- cannot go back under a primary key on id alone: the copy then fails on the duplicate and the
-- whole down is rolled back, changing nothing. One transaction: audit_events is locked throughout.

DO $$
DECLARE
    zone text := current_setting('TimeZone');
    bound timestamptz;
    pk_child text;
    parent_names text[];
    child_names text[];
    columns_list text;
BEGIN
    PERFORM set_config('TimeZone', 'UTC', true);
    LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE;

    IF NOT EXISTS (SELECT 1 FROM pg_inherits
                   WHERE inhparent = 'audit_events'::regclass AND inhrelid = to_regclass('audit_events_legacy')) THEN
        SELECT min(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']+)''\)')::timestamptz) INTO bound
        FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
        WHERE h.inhparent = 'audit_events'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT';
        bound := least(bound, (SELECT min("timestamp") FROM audit_events_default));
        CREATE TABLE audit_events_legacy (
            LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS
        );
        EXECUTE format('ALTER TABLE audit_events ATTACH PARTITION audit_events_legacy FOR VALUES FROM (MINVALUE) TO (%s)',
                       coalesce(quote_literal(bound), 'MAXVALUE'));
    END IF;

    SELECT array_agg(parent.relname ORDER BY parent.relname), array_agg(child.relname ORDER BY parent.relname)
    INTO parent_names, child_names
    FROM pg_index pi
    JOIN pg_class parent ON parent.oid = pi.indexrelid
    JOIN pg_inherits h ON h.inhparent = pi.indexrelid
    JOIN pg_class child ON child.oid = h.inhrelid
    JOIN pg_index ci ON ci.indexrelid = child.oid AND ci.indrelid = 'audit_events_legacy'::regclass
    WHERE pi.indrelid = 'audit_events'::regclass AND NOT pi.indisprimary;
    SELECT child.relname INTO pk_child
    FROM pg_index pi
    JOIN pg_inherits h ON h.inhparent = pi.indexrelid
    JOIN pg_class child ON child.oid = h.inhrelid
    JOIN pg_index ci ON ci.indexrelid = child.oid AND ci.indrelid = 'audit_events_legacy'::regclass
    WHERE pi.indrelid = 'audit_events'::regclass AND pi.indisprimary;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns_list
    FROM pg_attribute WHERE attrelid = 'audit_events'::regclass AND attnum > 0 AND NOT attisdropped;

    ALTER TABLE audit_events DETACH PARTITION audit_events_legacy;
    ALTER TABLE audit_events_legacy DROP CONSTRAINT IF EXISTS ck_audit_events_legacy_range;
    EXECUTE format('INSERT INTO audit_events_legacy (%s) SELECT %s FROM audit_events', columns_list, columns_list);
    DROP TABLE audit_events;

    -- The primary key's partition on the legacy table was (id, "timestamp"); the table's own key is on id.
    EXECUTE format('ALTER TABLE audit_events_legacy DROP CONSTRAINT %I', pk_child);
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'audit_events_legacy'::regclass AND contype = 'p') THEN
        ALTER TABLE audit_events_legacy RENAME CONSTRAINT audit_events_legacy_pkey TO audit_events_pkey;
    ELSE
        ALTER TABLE audit_events_legacy ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);
    END IF;
    FOR i IN 1 .. coalesce(array_length(parent_names, 1), 0) LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', child_names[i], parent_names[i]);
    END LOOP;
    ALTER TABLE audit_events_legacy RENAME TO audit_events;
    PERFORM set_config('TimeZone', zone, true);
END
$$;
