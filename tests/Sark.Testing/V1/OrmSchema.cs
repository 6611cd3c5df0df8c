namespace Sark.Testing.V1;

/// <summary>
/// The v1 schema as the v1 application's ORM (SQLAlchemy create_all) builds it, written from the
/// reference's description: enum names in upper case, json columns, no server defaults,
/// mcp_tools.parameters with invocation_count and last_invoked, user_teams without a primary key,
/// the ORM-only audit columns, unique indexes instead of unique constraints, no gateway_audit_events.
/// </summary>
internal static class OrmSchema
{
    public const string Sql = """
        CREATE TYPE transporttype AS ENUM ('HTTP', 'STDIO', 'SSE');
        CREATE TYPE sensitivitylevel AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');
        CREATE TYPE serverstatus AS ENUM ('REGISTERED', 'ACTIVE', 'INACTIVE', 'UNHEALTHY', 'DECOMMISSIONED');
        CREATE TYPE policytype AS ENUM ('AUTHORIZATION', 'VALIDATION', 'TRANSFORMATION', 'AUDIT');
        CREATE TYPE policystatus AS ENUM ('DRAFT', 'ACTIVE', 'INACTIVE', 'DEPRECATED');
        CREATE TYPE severitylevel AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');
        CREATE TYPE auditeventtype AS ENUM ('SERVER_REGISTERED', 'SERVER_UPDATED', 'SERVER_DECOMMISSIONED', 'TOOL_INVOKED',
            'AUTHORIZATION_ALLOWED', 'AUTHORIZATION_DENIED', 'POLICY_CREATED', 'POLICY_UPDATED', 'POLICY_ACTIVATED',
            'USER_LOGIN', 'USER_LOGOUT', 'SECURITY_VIOLATION', 'CONFIGURATION_CHANGED');

        CREATE TABLE users (
            id uuid NOT NULL PRIMARY KEY, email varchar(255) NOT NULL, full_name varchar(255) NOT NULL,
            hashed_password varchar(255) NOT NULL, is_active boolean NOT NULL, is_admin boolean NOT NULL,
            role varchar(50) NOT NULL, extra_metadata json, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE UNIQUE INDEX ix_users_email ON users (email);
        CREATE TABLE teams (
            id uuid NOT NULL PRIMARY KEY, name varchar(255) NOT NULL, description varchar(1000), extra_metadata json,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE UNIQUE INDEX ix_teams_name ON teams (name);
        CREATE TABLE user_teams (
            user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE);
        CREATE TABLE mcp_servers (
            id uuid NOT NULL PRIMARY KEY, name varchar(255) NOT NULL, description varchar(1000), transport transporttype NOT NULL,
            endpoint varchar(500), command varchar(500), mcp_version varchar(20) NOT NULL, capabilities json,
            sensitivity_level sensitivitylevel NOT NULL, signature varchar(1000), status serverstatus NOT NULL,
            health_endpoint varchar(500), last_health_check timestamptz,
            owner_id uuid REFERENCES users (id) ON DELETE SET NULL, team_id uuid REFERENCES teams (id) ON DELETE SET NULL,
            consul_id varchar(255) UNIQUE, tags json, extra_metadata json, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE INDEX ix_mcp_servers_name ON mcp_servers (name);
        CREATE TABLE mcp_tools (
            id uuid NOT NULL PRIMARY KEY, server_id uuid NOT NULL REFERENCES mcp_servers (id) ON DELETE CASCADE,
            name varchar(255) NOT NULL, description varchar(2000), parameters json, sensitivity_level sensitivitylevel NOT NULL,
            requires_approval boolean NOT NULL, signature varchar(1000), extra_metadata json,
            invocation_count integer NOT NULL, last_invoked timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE INDEX ix_mcp_tools_name ON mcp_tools (name);
        CREATE TABLE api_keys (
            id uuid NOT NULL PRIMARY KEY, user_id uuid NOT NULL, team_id uuid, name varchar(255) NOT NULL, description text,
            key_prefix varchar(16) NOT NULL, key_hash varchar(255) NOT NULL, scopes varchar[] NOT NULL, rate_limit integer NOT NULL,
            is_active boolean NOT NULL, expires_at timestamp, last_used_at timestamp, last_used_ip varchar(45),
            usage_count integer NOT NULL, created_at timestamp NOT NULL, updated_at timestamp NOT NULL, revoked_at timestamp, revoked_by uuid);
        CREATE UNIQUE INDEX ix_api_keys_key_prefix ON api_keys (key_prefix);
        CREATE TABLE policies (
            id uuid NOT NULL PRIMARY KEY, name varchar(255) NOT NULL, description varchar(1000), policy_type policytype NOT NULL,
            status policystatus NOT NULL, current_version_id uuid, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE UNIQUE INDEX ix_policies_name ON policies (name);
        CREATE TABLE policy_versions (
            id uuid NOT NULL PRIMARY KEY, policy_id uuid NOT NULL REFERENCES policies (id) ON DELETE CASCADE, version integer NOT NULL,
            content text NOT NULL, is_active boolean NOT NULL, tested boolean NOT NULL,
            created_by uuid REFERENCES users (id) ON DELETE SET NULL, created_at timestamptz NOT NULL, notes text);
        ALTER TABLE policies ADD CONSTRAINT fk_policies_current_version
            FOREIGN KEY (current_version_id) REFERENCES policy_versions (id) ON DELETE SET NULL;
        CREATE UNIQUE INDEX ix_policy_versions_version ON policy_versions (policy_id, version);
        CREATE TABLE audit_events (
            id uuid NOT NULL PRIMARY KEY, "timestamp" timestamptz NOT NULL, event_type auditeventtype NOT NULL,
            severity severitylevel NOT NULL, user_id uuid, user_email varchar(255), server_id uuid, tool_name varchar(255),
            decision varchar(20), policy_id uuid, ip_address varchar(45), user_agent varchar(500), request_id varchar(100),
            details json, siem_forwarded timestamptz,
            principal_type varchar(50), principal_attributes jsonb, resource_type varchar(50), action_operation varchar(100),
            action_parameters jsonb, policy_version varchar(50), environment varchar(50), success boolean,
            error_message varchar(500), latency_ms double precision, cost double precision, retention_until timestamptz);
        CREATE INDEX ix_audit_events_timestamp ON audit_events ("timestamp");
        CREATE TABLE usage_events (id bigserial PRIMARY KEY, payload json);
        """;
}
