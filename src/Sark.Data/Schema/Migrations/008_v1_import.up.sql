-- Bookkeeping of the v1->v2 data migration tool (sark migrate-v1): which v2 rows it wrote from
-- which v1 rows (with a hash of what it wrote, so rollback can tell rows changed since), its runs
-- with their resumable checkpoint, and the v1 rows it skipped and why. Also lets the import keep
-- v1's updated_at: the trigger function leaves updated_at alone in a session that sets
-- sark.keep_updated_at = 'on' (only sark migrate-v1 does).

CREATE OR REPLACE FUNCTION sark_set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- Stamp the change time unless the statement assigned updated_at itself, or the session
    -- copies rows whose timestamps must be kept (the v1->v2 import).
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
       AND coalesce(current_setting('sark.keep_updated_at', true), '') <> 'on' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TABLE v1_import_runs (
    run_id      bigint      GENERATED ALWAYS AS IDENTITY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    started_by  text        NOT NULL,
    status      text        NOT NULL DEFAULT 'running',
    phase       text        NOT NULL DEFAULT 'cleanup',
    checkpoint  uuid,
    batch_size  integer     NOT NULL,
    counts      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT v1_import_runs_pkey PRIMARY KEY (run_id),
    CONSTRAINT ck_v1_import_runs_status CHECK (status IN ('running', 'completed')),
    CONSTRAINT ck_v1_import_runs_phase CHECK (phase IN ('cleanup', 'servers', 'tools', 'done')),
    CONSTRAINT ck_v1_import_runs_batch_size CHECK (batch_size > 0),
    CONSTRAINT ck_v1_import_runs_counts_object CHECK (jsonb_typeof(counts) = 'object')
);

CREATE TABLE v1_import_provenance (
    target_table text         NOT NULL,
    target_id    varchar(255) NOT NULL,
    source_table text         NOT NULL,
    source_id    uuid         NOT NULL,
    row_hash     text         NOT NULL,
    run_id       bigint       NOT NULL,
    written_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT v1_import_provenance_pkey PRIMARY KEY (target_table, target_id),
    CONSTRAINT ck_v1_import_provenance_target CHECK (
        (target_table = 'resources' AND source_table = 'mcp_servers')
        OR (target_table = 'capabilities' AND source_table = 'mcp_tools'))
);

-- v1 rows a run skipped: invalid (with the reason), conflicting with a native v2 row, or a
-- duplicate tool name on one server (the reason names the tool that was kept).
CREATE TABLE v1_import_issues (
    run_id       bigint NOT NULL,
    source_table text   NOT NULL,
    source_id    uuid   NOT NULL,
    kind         text   NOT NULL,
    reason       text   NOT NULL,
    CONSTRAINT v1_import_issues_pkey PRIMARY KEY (run_id, source_table, source_id),
    CONSTRAINT v1_import_issues_run_fkey FOREIGN KEY (run_id) REFERENCES v1_import_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT ck_v1_import_issues_kind CHECK (kind IN ('invalid', 'conflict', 'duplicate'))
);
