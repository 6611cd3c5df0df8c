namespace Sark.V1Import.Adoption;

/// <summary>How an existing SARK v1 database was built; recorded at adoption for the v1→v2 tool.</summary>
public enum V1Variant
{
    /// <summary>Built by sark's own chain: nothing to tolerate.</summary>
    Native,

    /// <summary>Built by the original Alembic migrations 001–005 (lower-case enum labels, jsonb).</summary>
    Alembic,

    /// <summary>
    /// Built by the v1 application's ORM (create_all): upper-case enum labels, json columns,
    /// mcp_tools.parameters, no server defaults, user_teams without a primary key, unique indexes
    /// instead of unique constraints and PostgreSQL's default names for the rest.
    /// </summary>
    Orm,
}
