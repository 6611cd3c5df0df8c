-- sark:destructive
-- Reverts 010_registry_and_federation. Destroys the federation request counters (the hour's
-- rate-limit state) and the stored certificate fingerprints; registry_counts is derived data.

DROP TABLE federation_request_counts;
DROP INDEX ux_federation_nodes_fingerprint;
ALTER TABLE federation_nodes DROP COLUMN cert_fingerprint_sha256;

DROP TRIGGER trg_capabilities_count_truncate ON capabilities;
DROP TRIGGER trg_capabilities_count_delete ON capabilities;
DROP TRIGGER trg_capabilities_count_update ON capabilities;
DROP TRIGGER trg_capabilities_count_insert ON capabilities;
DROP TRIGGER trg_resources_count_truncate ON resources;
DROP TRIGGER trg_resources_uncount_capabilities ON resources;
DROP TRIGGER trg_resources_count_delete ON resources;
DROP TRIGGER trg_resources_count_update ON resources;
DROP TRIGGER trg_resources_count_insert ON resources;

DROP FUNCTION sark_registry_recount_trigger();
DROP FUNCTION sark_registry_count_capabilities();
DROP FUNCTION sark_registry_uncount_capabilities_of_resource();
DROP FUNCTION sark_registry_count_resources();
DROP FUNCTION sark_registry_recount();
DROP FUNCTION sark_registry_counts_compact();
DROP FUNCTION sark_registry_count_add(jsonb);
DROP TABLE registry_counts;
