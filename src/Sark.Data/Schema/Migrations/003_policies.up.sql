-- v1 schema, Alembic revision 003_policies: policies and their versions (Rego).
-- policies and policy_versions reference each other, so the current-version foreign key is added
-- once both tables exist. Each enum type is created exactly once (v1 created them twice).

CREATE TYPE policytype AS ENUM ('authorization', 'validation', 'transformation', 'audit');
CREATE TYPE policystatus AS ENUM ('draft', 'active', 'inactive', 'deprecated');

CREATE TABLE policies (
    id                 uuid          NOT NULL,
    name               varchar(255)  NOT NULL,
    description        varchar(1000),
    policy_type        policytype    NOT NULL DEFAULT 'authorization',
    status             policystatus  NOT NULL DEFAULT 'draft',
    current_version_id uuid,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT policies_pkey PRIMARY KEY (id),
    CONSTRAINT policies_name_key UNIQUE (name)
);

CREATE TABLE policy_versions (
    id         uuid        NOT NULL,
    policy_id  uuid        NOT NULL,
    version    integer     NOT NULL,
    content    text        NOT NULL,
    is_active  boolean     NOT NULL DEFAULT false,
    tested     boolean     NOT NULL DEFAULT false,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    notes      text,
    CONSTRAINT policy_versions_pkey PRIMARY KEY (id),
    CONSTRAINT policy_versions_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES policies (id) ON DELETE CASCADE,
    CONSTRAINT policy_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_policy_versions_policy_id ON policy_versions (policy_id);
-- The (policy_id, version) uniqueness is this one unique index, as in v1 (no separate constraint).
CREATE UNIQUE INDEX ix_policy_versions_version ON policy_versions (policy_id, version);

ALTER TABLE policies
    ADD CONSTRAINT fk_policies_current_version
    FOREIGN KEY (current_version_id) REFERENCES policy_versions (id) ON DELETE SET NULL;
