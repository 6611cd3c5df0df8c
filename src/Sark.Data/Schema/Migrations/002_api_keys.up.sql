-- v1 schema, Alembic revision 002_api_keys: API keys.
-- Timestamps are deliberately timestamp WITHOUT time zone and user_id/team_id have no foreign
-- keys: that is the v1 shape, kept so existing SARK databases can be adopted unchanged.

CREATE TABLE api_keys (
    id           uuid                NOT NULL,
    user_id      uuid                NOT NULL,
    team_id      uuid,
    name         varchar(255)        NOT NULL,
    description  text,
    key_prefix   varchar(16)         NOT NULL,
    key_hash     varchar(255)        NOT NULL,
    scopes       varchar[]           NOT NULL DEFAULT '{}'::varchar[],
    rate_limit   integer             NOT NULL DEFAULT 1000,
    is_active    boolean             NOT NULL DEFAULT true,
    expires_at   timestamp,
    last_used_at timestamp,
    last_used_ip varchar(45),
    usage_count  integer             NOT NULL DEFAULT 0,
    created_at   timestamp           NOT NULL DEFAULT now(),
    updated_at   timestamp           NOT NULL DEFAULT now(),
    revoked_at   timestamp,
    revoked_by   uuid,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_key_prefix_key UNIQUE (key_prefix)
);

COMMENT ON COLUMN api_keys.scopes IS 'List of permission scopes (e.g., ''server:read'', ''server:write'')';
COMMENT ON COLUMN api_keys.rate_limit IS 'Maximum requests per minute';

CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);
CREATE INDEX ix_api_keys_team_id ON api_keys (team_id);
CREATE INDEX ix_api_keys_is_active ON api_keys (is_active);
CREATE INDEX ix_api_keys_expires_at ON api_keys (expires_at);
