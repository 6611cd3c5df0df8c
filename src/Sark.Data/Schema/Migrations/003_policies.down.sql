-- sark:destructive
-- Reverts 003_policies: drops policies, their versions and the two policy enum types.
-- The cyclic foreign key goes first so the tables can be dropped without CASCADE.

ALTER TABLE policies DROP CONSTRAINT fk_policies_current_version;

DROP TABLE policy_versions;
DROP TABLE policies;

DROP TYPE policystatus;
DROP TYPE policytype;
