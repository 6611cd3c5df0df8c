-- v1 schema, Alembic revision 005_gateway_audit: audit events written by the MCP gateway.
-- Shape kept exactly as v1 for adoption: varchar ids without length, timestamp WITHOUT time zone,
-- nullable metadata. Plain table (v1's hypertable attempt could not work with a PK on id alone).

CREATE TABLE gateway_audit_events (
    id                 varchar     NOT NULL,
    event_type         varchar(50) NOT NULL,
    user_id            varchar,
    agent_id           varchar,
    server_name        varchar,
    tool_name          varchar,
    decision           varchar(10) NOT NULL,
    reason             text        NOT NULL,
    "timestamp"        timestamp   NOT NULL,
    gateway_request_id varchar     NOT NULL,
    metadata           jsonb                DEFAULT '{}'::jsonb,
    created_at         timestamp   NOT NULL DEFAULT now(),
    CONSTRAINT gateway_audit_events_pkey PRIMARY KEY (id)
);

CREATE INDEX ix_gateway_audit_user_id ON gateway_audit_events (user_id);
CREATE INDEX ix_gateway_audit_timestamp ON gateway_audit_events ("timestamp");
CREATE INDEX ix_gateway_audit_decision ON gateway_audit_events (decision);
CREATE INDEX ix_gateway_audit_event_type ON gateway_audit_events (event_type);
CREATE INDEX ix_gateway_audit_server_name ON gateway_audit_events (server_name);
CREATE INDEX ix_gateway_audit_tool_name ON gateway_audit_events (tool_name);
CREATE INDEX ix_gateway_audit_request_id ON gateway_audit_events (gateway_request_id);
