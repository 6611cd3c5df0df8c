-- sark:no-transaction
-- Reverts 009_audit_event_indexes: drops the five audit_events indexes without blocking writes.
-- No data is lost (an index holds none), so this down is not destructive. Re-runnable.

DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_capability_id;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_target_node;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_source_node;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_principal_org;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_correlation_id;
