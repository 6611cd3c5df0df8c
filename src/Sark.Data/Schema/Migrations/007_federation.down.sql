-- sark:destructive
-- Reverts 007_federation. PostgreSQL cannot drop enum labels, so auditeventtype is recreated
-- without the five 007 labels; audit events using them are DELETED first. Cost, budget and
-- federation rows and the eight audit columns are dropped; audit_events is rewritten once.

DROP MATERIALIZED VIEW mv_daily_cost_summary;

DELETE FROM audit_events
WHERE event_type IN ('cross_org_request', 'cross_org_authorization', 'cost_limit_exceeded',
                     'federation_node_trusted', 'federation_node_revoked');

ALTER TYPE auditeventtype RENAME TO auditeventtype_pre_007_down;
CREATE TYPE auditeventtype AS ENUM (
    'server_registered',
    'server_updated',
    'server_decommissioned',
    'tool_invoked',
    'authorization_allowed',
    'authorization_denied',
    'policy_created',
    'policy_updated',
    'policy_activated',
    'user_login',
    'user_logout',
    'security_violation'
);
ALTER TABLE audit_events
    ALTER COLUMN event_type TYPE auditeventtype USING event_type::text::auditeventtype;
DROP TYPE auditeventtype_pre_007_down;

ALTER TABLE audit_events
    DROP COLUMN actual_cost,
    DROP COLUMN estimated_cost,
    DROP COLUMN target_node,
    DROP COLUMN source_node,
    DROP COLUMN correlation_id,
    DROP COLUMN capability_id,
    DROP COLUMN resource_protocol,
    DROP COLUMN principal_org;

DROP TABLE principal_budgets;
-- Drops every partition with it, including the ones the maintenance job created.
DROP TABLE cost_tracking;
DROP TABLE federation_nodes;
