-- Hourly and daily cost rollups (issue 11, SPEC §5 and §6), so cost summaries over long periods
-- read a few thousand rollup rows instead of millions of cost rows. Filled only by the rollup
-- refresh (Sark.Data.Rollups.CostRollups, run by the maintenance job), which recomputes a trailing
-- window of buckets from cost_tracking in one transaction, so a late row is counted exactly once.
--
-- A bucket is the start of its UTC hour (hourly) or UTC day (daily). cost is
-- coalesce(actual_cost, estimated_cost) as mv_daily_cost_summary defines it: invocation_count
-- counts every row, costed_count the rows with a cost, total_cost sums the costs (0 when none),
-- min_cost and max_cost are NULL when no row of the bucket had a cost. protocol is the resource's
-- protocol when the bucket was computed, 'unknown' when the resource is gone (as in the view);
-- summaries by protocol look the resource up again, so they agree with cost_tracking as it is now.
-- Sums are never taken across currencies: currency is part of the key.
-- The tables are new and empty: no lock on a live table is taken, and the refresh fills them.

CREATE TABLE cost_rollup_hourly (
    bucket           timestamptz   NOT NULL,
    principal_id     varchar(255)  NOT NULL,
    resource_id      varchar(255)  NOT NULL,
    capability_id    varchar(255)  NOT NULL,
    protocol         varchar(50)   NOT NULL,
    -- ISO 4217 code, the same type as cost_tracking.currency, so the two compare without a cast.
    -- squawk-ignore ban-char-field
    currency         char(3)       NOT NULL,
    invocation_count bigint        NOT NULL,
    costed_count     bigint        NOT NULL,
    -- Unconstrained numeric: a sum of numeric(18,6) costs can need more than 18 digits.
    total_cost       numeric       NOT NULL,
    min_cost         numeric(18,6),
    max_cost         numeric(18,6),
    CONSTRAINT cost_rollup_hourly_pkey PRIMARY KEY (bucket, principal_id, resource_id, capability_id, protocol, currency),
    CONSTRAINT ck_cost_rollup_hourly_bucket_hour CHECK (date_trunc('hour', bucket AT TIME ZONE 'UTC') = bucket AT TIME ZONE 'UTC'),
    CONSTRAINT ck_cost_rollup_hourly_counts CHECK (invocation_count > 0 AND costed_count BETWEEN 0 AND invocation_count)
);

CREATE TABLE cost_rollup_daily (
    bucket           timestamptz   NOT NULL,
    principal_id     varchar(255)  NOT NULL,
    resource_id      varchar(255)  NOT NULL,
    capability_id    varchar(255)  NOT NULL,
    protocol         varchar(50)   NOT NULL,
    -- squawk-ignore ban-char-field
    currency         char(3)       NOT NULL,
    invocation_count bigint        NOT NULL,
    costed_count     bigint        NOT NULL,
    total_cost       numeric       NOT NULL,
    min_cost         numeric(18,6),
    max_cost         numeric(18,6),
    CONSTRAINT cost_rollup_daily_pkey PRIMARY KEY (bucket, principal_id, resource_id, capability_id, protocol, currency),
    CONSTRAINT ck_cost_rollup_daily_bucket_day CHECK (date_trunc('day', bucket AT TIME ZONE 'UTC') = bucket AT TIME ZONE 'UTC'),
    CONSTRAINT ck_cost_rollup_daily_counts CHECK (invocation_count > 0 AND costed_count BETWEEN 0 AND invocation_count)
);

-- One row: how far the rollups are exact. exact_through: every cost row with a "timestamp" before
-- it and an id up to max_rolled_id is counted in the buckets (rows with a larger id arrived after
-- the refresh and are read from cost_tracking by summaries, and recomputed by the next refresh).
-- NULL before the first refresh.
CREATE TABLE cost_rollup_state (
    singleton      boolean      NOT NULL DEFAULT true,
    exact_through  timestamptz,
    max_rolled_id  bigint,
    refreshed_at   timestamptz,
    recomputed_from timestamptz,
    -- A cost row's id is taken when it is inserted, not when it commits: a row committed after a
    -- refresh may carry an id below that refresh's max_rolled_id (a backfill stamped in the past,
    -- running while charges commit higher ids). late_scan_id: every row with an id up to it was
    -- visible to a refresh that counted it; the next refresh recomputes the days of the rows above
    -- it stamped before its window (NULL: all of them). candidate_id and candidate_at: the largest
    -- id a refresh saw and when; a later refresh that finds no transaction open since candidate_at
    -- (every id up to candidate_id then committed or rolled back) moves late_scan_id up to it.
    late_scan_id   bigint,
    candidate_id   bigint,
    candidate_at   timestamptz,
    CONSTRAINT cost_rollup_state_pkey PRIMARY KEY (singleton),
    CONSTRAINT ck_cost_rollup_state_singleton CHECK (singleton),
    CONSTRAINT ck_cost_rollup_state_refreshed CHECK ((exact_through IS NULL) = (refreshed_at IS NULL))
);

INSERT INTO cost_rollup_state (singleton) VALUES (true);
