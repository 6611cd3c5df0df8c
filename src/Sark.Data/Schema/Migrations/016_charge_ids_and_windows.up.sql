-- Leftovers of 013_budgets_and_charges (issue 11), fixed without editing it:
--   1. A charge id is an idempotency key for one request: reused with another principal,
--      resource, capability, amount or currency it is refused (SK002), never replayed. 013's
--      ledger could not compare resource and capability: cost_charges gains both columns.
--      They are nullable: rows written before 016 have none. Such a row, when charged, finds
--      them on its cost row; a denied one is compared on what it recorded (principal, amounts,
--      currency). Rows are pruned after 30 days, so the gap closes by itself; no backfill
--      rewrites the table.
--   2. Amounts in the functions' messages read as everywhere else in SARK: at least 2 decimals,
--      no trailing zeros beyond them (1.00, 0.25, 0.000125), not 1 or 1.250000.
--   3. A day (or month) whose local midnight is skipped by a DST change starts at 01:00 local:
--      013 added a day to that start and so ended the day an hour late (at 01:00 of the next
--      day). The end is now the next local midnight.
-- The functions keep their signatures (CREATE OR REPLACE): callers and prepared statements are
-- unchanged.

-- Rows from before 016 have NULL here: the request's resource and capability were not recorded.
ALTER TABLE cost_charges ADD COLUMN resource_id varchar(255), ADD COLUMN capability_id varchar(255);

-- An amount as SARK's messages show it (CostInput.Format): at least 2 decimals, no more than it has.
CREATE FUNCTION sark_amount_text(p_amount numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN scale(trim_scale(p_amount)) < 2 THEN round(p_amount, 2)::text ELSE trim_scale(p_amount)::text END
$$;

-- The windows an instant falls in, in a zone. The ends are the next local midnight and first of
-- the month, computed from the local date, not from the start: a start moved to 01:00 by a
-- skipped midnight must not move the end. A local time that does not exist is read with the
-- offset before the change, which is the instant the day really begins.
CREATE OR REPLACE FUNCTION sark_budget_windows(
    zone text, at timestamptz,
    OUT day_start timestamptz, OUT day_end timestamptz, OUT month_start timestamptz, OUT month_end timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT date_trunc('day', at, zone), (date_trunc('day', l) + interval '1 day') AT TIME ZONE zone,
           date_trunc('month', at, zone), (date_trunc('month', l) + interval '1 month') AT TIME ZONE zone
    FROM (SELECT at AT TIME ZONE zone AS l) AS w
$$;

-- What of a charge request differs from the charge recorded under its id, by name; empty when it is
-- a retry. An unknown (NULL) resource or capability of a pre-016 row matches anything.
CREATE FUNCTION sark_charge_differences(
    prior cost_charges, p_principal text, p_resource text, p_capability text, p_estimated numeric, p_actual numeric, p_currency text)
RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN prior.principal_id <> p_principal THEN 'principal' END,
        CASE WHEN prior.resource_id <> p_resource THEN 'resource' END,
        CASE WHEN prior.capability_id <> p_capability THEN 'capability' END,
        CASE WHEN prior.estimated_cost IS DISTINCT FROM p_estimated THEN 'estimated cost' END,
        CASE WHEN prior.actual_cost IS DISTINCT FROM p_actual THEN 'actual cost' END,
        CASE WHEN prior.currency <> p_currency THEN 'currency' END], NULL)
$$;

-- A charge: the cost row and the budget's spend, or a denial (ledger row and audit event, no cost
-- row). Errors raised: SK001 currency differs from the budget's, SK002 the charge id was used for
-- another request (CONSTRAINT cost_charges_pkey names the ledger; also 23505 on that key when the
-- two requests race for different principals, which lock different budget rows).
CREATE OR REPLACE FUNCTION sark_charge(
    p_charge_id text, p_principal text, p_resource text, p_capability text,
    p_estimated numeric, p_actual numeric, p_currency text, p_metadata jsonb, p_at timestamptz,
    OUT outcome text, OUT replayed boolean, OUT cost_id bigint, OUT cost_timestamp timestamptz,
    OUT currency text, OUT daily_limit numeric, OUT monthly_limit numeric,
    OUT daily_spent numeric, OUT monthly_spent numeric, OUT reserved numeric,
    OUT denied_limit text, OUT limit_amount numeric, OUT spent numeric)
LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := coalesce(p_at, now());
    amount numeric := coalesce(p_actual, p_estimated);
    b principal_budgets;
    prior cost_charges;
    differs text[];
BEGIN
    b := sark_lock_budget(p_principal, p_currency);
    -- After the lock: a retry of the same charge waited for the first and sees it committed.
    SELECT * INTO prior FROM cost_charges AS c WHERE c.charge_id = p_charge_id;
    IF FOUND THEN
        IF prior.resource_id IS NULL AND prior.outcome = 'charged' THEN
            SELECT t.resource_id, t.capability_id INTO prior.resource_id, prior.capability_id
            FROM cost_tracking AS t WHERE t.id = prior.cost_id AND t."timestamp" = prior.cost_timestamp;
        END IF;
        differs := sark_charge_differences(prior, p_principal, p_resource, p_capability, p_estimated, p_actual, p_currency);
        IF cardinality(differs) > 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'SK002', CONSTRAINT = 'cost_charges_pkey', MESSAGE = format(
                'charge id ''%s'' was already used for another charge (principal ''%s'', resource %s, capability %s, estimated %s, actual %s %s); this one differs in %s; use a new id for a new charge',
                p_charge_id, prior.principal_id, coalesce('''' || prior.resource_id || '''', 'not recorded'),
                coalesce('''' || prior.capability_id || '''', 'not recorded'), coalesce(sark_amount_text(prior.estimated_cost), 'none'),
                coalesce(sark_amount_text(prior.actual_cost), 'none'), prior.currency, array_to_string(differs, ', '));
        END IF;
    END IF;
    IF b.currency <> p_currency THEN
        RAISE EXCEPTION USING ERRCODE = 'SK001', MESSAGE = format(
            'the budget of principal ''%s'' is in %s; a charge in %s is refused (charge in %s, or change the budget''s currency while nothing is spent)',
            p_principal, b.currency, p_currency, b.currency);
    END IF;

    b := sark_rolled_budget(b, at);
    reserved := sark_reserved(p_principal, at);
    currency := b.currency;
    daily_limit := b.daily_budget;
    monthly_limit := b.monthly_budget;

    IF prior.charge_id IS NOT NULL THEN
        replayed := true;
        outcome := prior.outcome;
        cost_id := prior.cost_id;
        cost_timestamp := prior.cost_timestamp;
        denied_limit := prior.denied_limit;
        limit_amount := prior.limit_amount;
        spent := prior.spent;
        IF outcome = 'denied' THEN
            reserved := prior.reserved;
        END IF;
        daily_spent := b.daily_spent;
        monthly_spent := b.monthly_spent;
        RETURN;
    END IF;

    replayed := false;
    denied_limit := sark_limit_passed(b, reserved, amount);
    IF denied_limit IS NOT NULL THEN
        outcome := 'denied';
        limit_amount := CASE denied_limit WHEN 'daily' THEN b.daily_budget ELSE b.monthly_budget END;
        spent := CASE denied_limit WHEN 'daily' THEN b.daily_spent ELSE b.monthly_spent END;
        daily_spent := b.daily_spent;
        monthly_spent := b.monthly_spent;
        INSERT INTO cost_charges (charge_id, principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, outcome, denied_limit, limit_amount, spent, reserved)
        VALUES (p_charge_id, p_principal, p_resource, p_capability, p_estimated, p_actual, p_currency, 'denied', denied_limit, limit_amount, spent, reserved);
        PERFORM sark_audit_denial(p_principal, p_capability, p_estimated, p_actual, jsonb_build_object(
            'principal_id', p_principal, 'resource_id', p_resource, 'charge_id', p_charge_id, 'limit', denied_limit,
            'limit_amount', limit_amount, 'spent', spent, 'reserved', reserved, 'amount', amount, 'currency', b.currency));
        RETURN;
    END IF;

    outcome := 'charged';
    INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata)
    VALUES (at, p_principal, p_resource, p_capability, p_estimated, p_actual, p_currency, p_metadata)
    RETURNING cost_tracking.id, cost_tracking."timestamp" INTO cost_id, cost_timestamp;
    daily_spent := b.daily_spent + amount;
    monthly_spent := b.monthly_spent + amount;
    UPDATE principal_budgets AS pb
    SET daily_spent = sark_charge.daily_spent, monthly_spent = sark_charge.monthly_spent,
        last_daily_reset = b.last_daily_reset, last_monthly_reset = b.last_monthly_reset
    WHERE pb.principal_id = p_principal;
    INSERT INTO cost_charges (charge_id, principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, outcome, cost_id, cost_timestamp)
    VALUES (p_charge_id, p_principal, p_resource, p_capability, p_estimated, p_actual, p_currency, 'charged', cost_id, cost_timestamp);
END
$$;

-- A hold of p_estimate against the principal's limits, or its denial (kept, with the audit
-- event, so a retry returns it). A retry with the same id returns the hold as it is now.
-- Errors: SK001 currency, SK002 the id was used for another request (CONSTRAINT
-- budget_reservations_pkey; 23505 on that key when two requests race for different principals).
CREATE OR REPLACE FUNCTION sark_reserve(
    p_reservation_id text, p_principal text, p_resource text, p_capability text,
    p_estimate numeric, p_currency text, p_ttl interval, p_metadata jsonb, p_at timestamptz,
    OUT state text, OUT replayed boolean, OUT expires_at timestamptz, OUT currency text,
    OUT denied_limit text, OUT limit_amount numeric, OUT spent numeric, OUT reserved numeric)
LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := coalesce(p_at, now());
    b principal_budgets;
    prior budget_reservations;
    differs text[];
BEGIN
    b := sark_lock_budget(p_principal, p_currency);
    SELECT * INTO prior FROM budget_reservations AS r WHERE r.reservation_id = p_reservation_id;
    IF prior.reservation_id IS NOT NULL THEN
        differs := array_remove(ARRAY[
            CASE WHEN prior.principal_id <> p_principal THEN 'principal' END,
            CASE WHEN prior.resource_id <> p_resource THEN 'resource' END,
            CASE WHEN prior.capability_id <> p_capability THEN 'capability' END,
            CASE WHEN prior.estimate <> p_estimate THEN 'estimate' END,
            CASE WHEN prior.currency <> p_currency THEN 'currency' END], NULL);
        IF cardinality(differs) > 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'SK002', CONSTRAINT = 'budget_reservations_pkey', MESSAGE = format(
                'reservation id ''%s'' was already used for another hold (principal ''%s'', resource ''%s'', capability ''%s'', estimate %s %s); this one differs in %s; use a new id for a new reservation',
                p_reservation_id, prior.principal_id, prior.resource_id, prior.capability_id, sark_amount_text(prior.estimate), prior.currency,
                array_to_string(differs, ', '));
        END IF;
        replayed := true;
        state := prior.state;
        expires_at := prior.expires_at;
        currency := prior.currency;
        denied_limit := prior.denial ->> 'limit';
        limit_amount := (prior.denial ->> 'limit_amount')::numeric;
        spent := (prior.denial ->> 'spent')::numeric;
        reserved := coalesce((prior.denial ->> 'reserved')::numeric, sark_reserved(p_principal, at));
        RETURN;
    END IF;
    IF b.currency <> p_currency THEN
        RAISE EXCEPTION USING ERRCODE = 'SK001', MESSAGE = format(
            'the budget of principal ''%s'' is in %s; a reservation in %s is refused (reserve in %s)',
            p_principal, b.currency, p_currency, b.currency);
    END IF;
    b := sark_rolled_budget(b, at);
    reserved := sark_reserved(p_principal, at);
    currency := b.currency;
    replayed := false;
    expires_at := at + p_ttl;
    denied_limit := sark_limit_passed(b, reserved, p_estimate);
    IF denied_limit IS NULL THEN
        state := 'pending';
        INSERT INTO budget_reservations (reservation_id, principal_id, resource_id, capability_id, estimate, currency, state, expires_at, metadata)
        VALUES (p_reservation_id, p_principal, p_resource, p_capability, p_estimate, p_currency, 'pending', sark_reserve.expires_at, p_metadata);
        reserved := reserved + p_estimate;
        RETURN;
    END IF;
    state := 'denied';
    limit_amount := CASE denied_limit WHEN 'daily' THEN b.daily_budget ELSE b.monthly_budget END;
    spent := CASE denied_limit WHEN 'daily' THEN b.daily_spent ELSE b.monthly_spent END;
    INSERT INTO budget_reservations (reservation_id, principal_id, resource_id, capability_id, estimate, currency, state, expires_at, denial, metadata, finished_at)
    VALUES (p_reservation_id, p_principal, p_resource, p_capability, p_estimate, p_currency, 'denied', sark_reserve.expires_at,
            jsonb_build_object('limit', denied_limit, 'limit_amount', limit_amount, 'spent', spent, 'reserved', reserved), p_metadata, now());
    PERFORM sark_audit_denial(p_principal, p_capability, p_estimate, NULL, jsonb_build_object(
        'principal_id', p_principal, 'resource_id', p_resource, 'reservation_id', p_reservation_id, 'limit', denied_limit,
        'limit_amount', limit_amount, 'spent', spent, 'reserved', reserved, 'amount', p_estimate, 'currency', b.currency));
END
$$;

-- Ends a pending hold (as 013); only the amount in the SK004 message is written as SARK writes amounts.
CREATE OR REPLACE FUNCTION sark_finish_reservation(
    p_reservation_id text, p_settle boolean, p_actual numeric, p_metadata jsonb, p_at timestamptz,
    OUT principal_id text, OUT estimate numeric, OUT actual numeric, OUT currency text,
    OUT cost_id bigint, OUT cost_timestamp timestamptz,
    OUT daily_limit numeric, OUT monthly_limit numeric, OUT daily_spent numeric, OUT monthly_spent numeric)
LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := coalesce(p_at, now());
    r budget_reservations;
    b principal_budgets;
BEGIN
    SELECT * INTO r FROM budget_reservations AS x WHERE x.reservation_id = p_reservation_id;
    IF r.reservation_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'SK003', MESSAGE = format('reservation ''%s'' does not exist', p_reservation_id);
    END IF;
    b := sark_lock_budget(r.principal_id, r.currency);
    SELECT * INTO r FROM budget_reservations AS x WHERE x.reservation_id = p_reservation_id FOR UPDATE;
    IF r.state IN ('settled', 'released') THEN
        RAISE EXCEPTION USING ERRCODE = 'SK004', MESSAGE = format(
            'reservation ''%s'' was already %s at %s%s; a hold is settled or released once',
            p_reservation_id, r.state, to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            CASE WHEN r.state = 'settled' THEN format(' (actual %s %s)', sark_amount_text(r.actual_cost), r.currency) ELSE '' END);
    ELSIF r.state = 'denied' THEN
        RAISE EXCEPTION USING ERRCODE = 'SK004', MESSAGE = format(
            'reservation ''%s'' was denied (over its %s limit); there is no hold to %s',
            p_reservation_id, r.denial ->> 'limit', CASE WHEN p_settle THEN 'settle' ELSE 'release' END);
    ELSIF r.state = 'expired' OR r.expires_at <= at THEN
        RAISE EXCEPTION USING ERRCODE = 'SK005', MESSAGE = format(
            'reservation ''%s'' expired at %s; its hold no longer counts, so there is nothing to %s (record the cost as a charge instead)',
            p_reservation_id, to_char(r.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), CASE WHEN p_settle THEN 'settle' ELSE 'release' END);
    END IF;

    principal_id := r.principal_id;
    estimate := r.estimate;
    currency := r.currency;
    b := sark_rolled_budget(b, at);
    daily_limit := b.daily_budget;
    monthly_limit := b.monthly_budget;
    daily_spent := b.daily_spent;
    monthly_spent := b.monthly_spent;
    IF NOT p_settle THEN
        UPDATE budget_reservations AS x SET state = 'released', finished_at = now() WHERE x.reservation_id = p_reservation_id;
        RETURN;
    END IF;

    actual := p_actual;
    INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency, metadata)
    VALUES (at, r.principal_id, r.resource_id, r.capability_id, r.estimate, p_actual, r.currency, r.metadata || coalesce(p_metadata, '{}'::jsonb))
    RETURNING cost_tracking.id, cost_tracking."timestamp" INTO cost_id, cost_timestamp;
    daily_spent := b.daily_spent + p_actual;
    monthly_spent := b.monthly_spent + p_actual;
    UPDATE principal_budgets AS pb
    SET daily_spent = sark_finish_reservation.daily_spent, monthly_spent = sark_finish_reservation.monthly_spent,
        last_daily_reset = b.last_daily_reset, last_monthly_reset = b.last_monthly_reset
    WHERE pb.principal_id = r.principal_id;
    UPDATE budget_reservations AS x
    SET state = 'settled', actual_cost = p_actual, cost_id = sark_finish_reservation.cost_id,
        cost_timestamp = sark_finish_reservation.cost_timestamp, finished_at = now()
    WHERE x.reservation_id = p_reservation_id;
END
$$;

-- Sets a budget's limits, currency and zone (as 013); only the amount in the SK007 message is
-- written as SARK writes amounts.
CREATE OR REPLACE FUNCTION sark_set_budget(
    p_principal text, p_set_daily boolean, p_daily numeric, p_set_monthly boolean, p_monthly numeric,
    p_currency text, p_time_zone text)
RETURNS principal_budgets
LANGUAGE plpgsql AS $$
DECLARE
    b principal_budgets;
    rolled principal_budgets;
    w record;
BEGIN
    IF p_time_zone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_time_zone) THEN
        RAISE EXCEPTION USING ERRCODE = 'SK006', MESSAGE = format(
            'time zone ''%s'' is not known to the database; expected an IANA name such as UTC or Europe/Paris', p_time_zone);
    END IF;
    b := sark_lock_budget(p_principal, coalesce(p_currency, 'USD'));
    rolled := sark_rolled_budget(b, now());
    IF p_currency IS NOT NULL AND p_currency <> b.currency
       AND (rolled.daily_spent > 0 OR rolled.monthly_spent > 0 OR sark_reserved(p_principal, now()) > 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'SK007', MESSAGE = format(
            'the budget of principal ''%s'' has %s %s spent or held this month; its currency cannot change to %s until the month is over',
            p_principal, sark_amount_text(rolled.monthly_spent + sark_reserved(p_principal, now())), b.currency, p_currency);
    END IF;
    IF p_time_zone IS NOT NULL AND p_time_zone <> b.time_zone THEN
        -- The spend so far carries into the current windows of the new zone.
        w := sark_budget_windows(p_time_zone, now());
        rolled.last_daily_reset := w.day_start;
        rolled.last_monthly_reset := w.month_start;
    END IF;
    UPDATE principal_budgets AS pb SET
        daily_budget = CASE WHEN p_set_daily THEN p_daily ELSE pb.daily_budget END,
        monthly_budget = CASE WHEN p_set_monthly THEN p_monthly ELSE pb.monthly_budget END,
        currency = coalesce(p_currency, pb.currency),
        time_zone = coalesce(p_time_zone, pb.time_zone),
        daily_spent = rolled.daily_spent, monthly_spent = rolled.monthly_spent,
        last_daily_reset = rolled.last_daily_reset, last_monthly_reset = rolled.last_monthly_reset
    WHERE pb.principal_id = p_principal
    RETURNING * INTO b;
    RETURN b;
END
$$;
