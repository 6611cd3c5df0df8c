-- v1 schema, Alembic revision 001_initial: users, teams, membership, MCP servers and their tools.
-- Ids are uuid without a server default (the application supplies them), as in v1.
-- Unique columns get only their UNIQUE constraint; v1's duplicate unique indexes are not created.

CREATE TYPE transporttype AS ENUM ('http', 'stdio', 'sse');
CREATE TYPE sensitivitylevel AS ENUM ('low', 'medium', 'high', 'critical');
CREATE TYPE serverstatus AS ENUM ('registered', 'active', 'inactive', 'unhealthy', 'decommissioned');

CREATE TABLE users (
    id              uuid         NOT NULL,
    email           varchar(255) NOT NULL,
    full_name       varchar(255) NOT NULL,
    hashed_password varchar(255) NOT NULL,
    is_active       boolean      NOT NULL DEFAULT true,
    is_admin        boolean      NOT NULL DEFAULT false,
    role            varchar(50)  NOT NULL DEFAULT 'developer',
    extra_metadata  jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE teams (
    id             uuid          NOT NULL,
    name           varchar(255)  NOT NULL,
    description    varchar(1000),
    extra_metadata jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    updated_at     timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT teams_pkey PRIMARY KEY (id),
    CONSTRAINT teams_name_key UNIQUE (name)
);

CREATE TABLE user_teams (
    user_id uuid NOT NULL,
    team_id uuid NOT NULL,
    CONSTRAINT user_teams_pkey PRIMARY KEY (user_id, team_id),
    CONSTRAINT user_teams_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_teams_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE
);

CREATE INDEX ix_user_teams_user_id ON user_teams (user_id);
CREATE INDEX ix_user_teams_team_id ON user_teams (team_id);

CREATE TABLE mcp_servers (
    id                uuid             NOT NULL,
    name              varchar(255)     NOT NULL,
    description       varchar(1000),
    transport         transporttype    NOT NULL,
    endpoint          varchar(500),
    command           varchar(500),
    mcp_version       varchar(20)      NOT NULL DEFAULT '2025-06-18',
    capabilities      jsonb            NOT NULL DEFAULT '[]'::jsonb,
    sensitivity_level sensitivitylevel NOT NULL DEFAULT 'medium',
    signature         varchar(1000),
    status            serverstatus     NOT NULL DEFAULT 'registered',
    health_endpoint   varchar(500),
    last_health_check timestamptz,
    owner_id          uuid,
    team_id           uuid,
    consul_id         varchar(255),
    tags              jsonb            NOT NULL DEFAULT '[]'::jsonb,
    extra_metadata    jsonb            NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    updated_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT mcp_servers_pkey PRIMARY KEY (id),
    CONSTRAINT mcp_servers_consul_id_key UNIQUE (consul_id),
    CONSTRAINT mcp_servers_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT mcp_servers_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);

CREATE INDEX ix_mcp_servers_name ON mcp_servers (name);
CREATE INDEX ix_mcp_servers_owner_id ON mcp_servers (owner_id);
CREATE INDEX ix_mcp_servers_team_id ON mcp_servers (team_id);

CREATE TABLE mcp_tools (
    id                uuid             NOT NULL,
    server_id         uuid             NOT NULL,
    name              varchar(255)     NOT NULL,
    description       text,
    parameters_schema jsonb            NOT NULL DEFAULT '{}'::jsonb,
    sensitivity_level sensitivitylevel NOT NULL DEFAULT 'medium',
    requires_approval boolean          NOT NULL DEFAULT false,
    signature         varchar(1000),
    extra_metadata    jsonb            NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    updated_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT mcp_tools_pkey PRIMARY KEY (id),
    CONSTRAINT mcp_tools_server_id_fkey FOREIGN KEY (server_id) REFERENCES mcp_servers (id) ON DELETE CASCADE
);

CREATE INDEX ix_mcp_tools_server_id ON mcp_tools (server_id);
CREATE INDEX ix_mcp_tools_name ON mcp_tools (name);
