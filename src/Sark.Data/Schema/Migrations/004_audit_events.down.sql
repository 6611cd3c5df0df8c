-- sark:destructive
-- Reverts 004_audit_events: drops the audit trail and its enum types. Every audit event is lost.

DROP TABLE audit_events;

DROP TYPE severitylevel;
DROP TYPE auditeventtype;
