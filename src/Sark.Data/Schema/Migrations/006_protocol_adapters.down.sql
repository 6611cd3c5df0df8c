-- sark:destructive
-- Reverts 006_protocol_adapters: drops capabilities, resources (all v2 registry rows, migrated or
-- native, are lost; v1 tables are untouched) and the sark_set_updated_at() trigger function.

DROP TABLE capabilities;
DROP TABLE resources;

DROP FUNCTION sark_set_updated_at();
