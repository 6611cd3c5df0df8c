-- sark:no-transaction
-- Reverts 011_audit_query_indexes: drops its two audit_events indexes without blocking writes.
-- No data is lost (an index holds none), so this down is not destructive. Re-runnable.

DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_user_email;
DROP INDEX CONCURRENTLY IF EXISTS ix_audit_events_timestamp_id;
