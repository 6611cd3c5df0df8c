-- sark:destructive
-- Reverts 005_gateway_audit: drops gateway_audit_events and every gateway audit row.

DROP TABLE gateway_audit_events;
