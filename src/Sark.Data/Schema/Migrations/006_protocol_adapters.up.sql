-- v2.0: protocol-agnostic resources (MCP servers, HTTP APIs, gRPC services, ...) and their
-- capabilities. Tables only; copying v1 mcp_servers/mcp_tools is the v1->v2 tool's job.
-- Adds sark_set_updated_at(), the BEFORE UPDATE trigger function later tables reuse.

CREATE FUNCTION sark_set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- Stamp the change time unless the statement itself assigned updated_at (the v1->v2 import
    -- keeps v1 timestamps that way).
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION sark_set_updated_at() IS
    'BEFORE UPDATE trigger: sets updated_at to now() unless the UPDATE assigned a new value itself';

CREATE TABLE resources (
    id                varchar(255)  NOT NULL,
    name              varchar(255)  NOT NULL,
    protocol          varchar(50)   NOT NULL,
    endpoint          varchar(1000) NOT NULL,
    sensitivity_level varchar(20)   NOT NULL DEFAULT 'medium',
    metadata          jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT resources_pkey PRIMARY KEY (id),
    CONSTRAINT ck_resources_id_not_blank CHECK (btrim(id, E' \t\r\n') <> ''),
    CONSTRAINT ck_resources_protocol CHECK (protocol ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT ck_resources_endpoint_not_blank CHECK (btrim(endpoint, E' \t\r\n') <> ''),
    CONSTRAINT ck_resources_sensitivity CHECK (sensitivity_level IN ('low', 'medium', 'high', 'critical')),
    CONSTRAINT ck_resources_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX ix_resources_protocol ON resources (protocol);
CREATE INDEX ix_resources_sensitivity ON resources (sensitivity_level);
CREATE INDEX ix_resources_name ON resources (name);
CREATE INDEX ix_resources_metadata_gin ON resources USING gin (metadata);

CREATE TRIGGER trg_resources_updated_at
    BEFORE UPDATE ON resources
    FOR EACH ROW EXECUTE FUNCTION sark_set_updated_at();

CREATE TABLE capabilities (
    id                varchar(255) NOT NULL,
    resource_id       varchar(255) NOT NULL,
    name              varchar(255) NOT NULL,
    description       text,
    input_schema      jsonb        NOT NULL DEFAULT '{}'::jsonb,
    output_schema     jsonb        NOT NULL DEFAULT '{}'::jsonb,
    sensitivity_level varchar(20)  NOT NULL DEFAULT 'medium',
    metadata          jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT capabilities_pkey PRIMARY KEY (id),
    CONSTRAINT capabilities_resource_id_fkey FOREIGN KEY (resource_id) REFERENCES resources (id) ON DELETE CASCADE,
    -- One capability name per resource. Named ix_capabilities_resource on purpose: its index
    -- (resource_id, name) also serves "capabilities of a resource", so no second index is needed.
    CONSTRAINT ix_capabilities_resource UNIQUE (resource_id, name),
    CONSTRAINT ck_capabilities_id_not_blank CHECK (btrim(id, E' \t\r\n') <> ''),
    CONSTRAINT ck_capabilities_sensitivity CHECK (sensitivity_level IN ('low', 'medium', 'high', 'critical')),
    CONSTRAINT ck_capabilities_input_schema_object CHECK (jsonb_typeof(input_schema) = 'object'),
    CONSTRAINT ck_capabilities_output_schema_object CHECK (jsonb_typeof(output_schema) = 'object'),
    CONSTRAINT ck_capabilities_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX ix_capabilities_name ON capabilities (name);
CREATE INDEX ix_capabilities_sensitivity ON capabilities (sensitivity_level);
CREATE INDEX ix_capabilities_metadata_gin ON capabilities USING gin (metadata);

CREATE TRIGGER trg_capabilities_updated_at
    BEFORE UPDATE ON capabilities
    FOR EACH ROW EXECUTE FUNCTION sark_set_updated_at();
