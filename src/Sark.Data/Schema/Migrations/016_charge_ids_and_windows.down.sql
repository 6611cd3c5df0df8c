-- sark:destructive
-- Reverts 016_charge_ids_and_windows: the functions as 013 wrote them (a charge id reused for
-- another resource or capability is replayed again, amounts in messages lose their fixed
-- decimals, a day starting after a skipped midnight ends an hour late) and cost_charges without
-- the resource and capability of its charges.

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
            p_principal, rolled.monthly_spent + sark_reserved(p_principal, now()), b.currency, p_currency);
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
            CASE WHEN r.state = 'settled' THEN format(' (actual %s %s)', trim_scale(r.actual_cost), r.currency) ELSE '' END);
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
BEGIN
    b := sark_lock_budget(p_principal, p_currency);
    SELECT * INTO prior FROM budget_reservations AS r WHERE r.reservation_id = p_reservation_id;
    IF prior.reservation_id IS NOT NULL THEN
        IF prior.principal_id <> p_principal OR prior.currency <> p_currency OR prior.estimate <> p_estimate
           OR prior.resource_id <> p_resource OR prior.capability_id <> p_capability THEN
            RAISE EXCEPTION USING ERRCODE = 'SK002', MESSAGE = format(
                'reservation id ''%s'' was already used for another hold (principal ''%s'', estimate %s %s); use a new id for a new reservation',
                p_reservation_id, prior.principal_id, trim_scale(prior.estimate), prior.currency);
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
BEGIN
    b := sark_lock_budget(p_principal, p_currency);
    -- After the lock: a retry of the same charge waited for the first and sees it committed.
    SELECT * INTO prior FROM cost_charges AS c WHERE c.charge_id = p_charge_id;
    IF FOUND AND (prior.principal_id <> p_principal OR prior.currency <> p_currency
                  OR prior.estimated_cost IS DISTINCT FROM p_estimated OR prior.actual_cost IS DISTINCT FROM p_actual) THEN
        RAISE EXCEPTION USING ERRCODE = 'SK002', MESSAGE = format(
            'charge id ''%s'' was already used for another charge (principal ''%s'', estimated %s, actual %s, %s); use a new id for a new charge',
            p_charge_id, prior.principal_id, coalesce(trim_scale(prior.estimated_cost)::text, 'none'), coalesce(trim_scale(prior.actual_cost)::text, 'none'), prior.currency);
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
        INSERT INTO cost_charges (charge_id, principal_id, estimated_cost, actual_cost, currency, outcome, denied_limit, limit_amount, spent, reserved)
        VALUES (p_charge_id, p_principal, p_estimated, p_actual, p_currency, 'denied', denied_limit, limit_amount, spent, reserved);
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
    INSERT INTO cost_charges (charge_id, principal_id, estimated_cost, actual_cost, currency, outcome, cost_id, cost_timestamp)
    VALUES (p_charge_id, p_principal, p_estimated, p_actual, p_currency, 'charged', cost_id, cost_timestamp);
END
$$;

CREATE OR REPLACE FUNCTION sark_budget_windows(
    zone text, at timestamptz,
    OUT day_start timestamptz, OUT day_end timestamptz, OUT month_start timestamptz, OUT month_end timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT d, ((d AT TIME ZONE zone) + interval '1 day') AT TIME ZONE zone,
           m, ((m AT TIME ZONE zone) + interval '1 month') AT TIME ZONE zone
    FROM (SELECT date_trunc('day', at, zone) AS d, date_trunc('month', at, zone) AS m) AS w
$$;

DROP FUNCTION sark_charge_differences(cost_charges, text, text, text, numeric, numeric, text);
DROP FUNCTION sark_amount_text(numeric);
ALTER TABLE cost_charges DROP COLUMN capability_id, DROP COLUMN resource_id;
