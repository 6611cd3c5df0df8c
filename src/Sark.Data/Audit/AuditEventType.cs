namespace Sark.Data.Audit;

/// <summary>
/// What an audit event records: the PostgreSQL enum <c>auditeventtype</c> (12 labels from 004, 5
/// from 007). <see cref="AuditLabels"/> converts to and from the lower-case labels the database
/// stores; the order of the members is the order of the labels.
/// </summary>
public enum AuditEventType
{
    /// <summary><c>server_registered</c>: an MCP server was registered.</summary>
    ServerRegistered,

    /// <summary><c>server_updated</c>: a registered server changed.</summary>
    ServerUpdated,

    /// <summary><c>server_decommissioned</c>: a server was taken out of service.</summary>
    ServerDecommissioned,

    /// <summary><c>tool_invoked</c>: a tool or capability was called.</summary>
    ToolInvoked,

    /// <summary><c>authorization_allowed</c>: a policy decision allowed a request.</summary>
    AuthorizationAllowed,

    /// <summary><c>authorization_denied</c>: a policy decision denied a request.</summary>
    AuthorizationDenied,

    /// <summary><c>policy_created</c>: a policy was created.</summary>
    PolicyCreated,

    /// <summary><c>policy_updated</c>: a policy changed.</summary>
    PolicyUpdated,

    /// <summary><c>policy_activated</c>: a policy version became active.</summary>
    PolicyActivated,

    /// <summary><c>user_login</c>: a user logged in.</summary>
    UserLogin,

    /// <summary><c>user_logout</c>: a user logged out.</summary>
    UserLogout,

    /// <summary><c>security_violation</c>: something broke a security rule.</summary>
    SecurityViolation,

    /// <summary><c>cross_org_request</c>: a federated request crossed organisations (007).</summary>
    CrossOrgRequest,

    /// <summary><c>cross_org_authorization</c>: a decision on a federated request (007).</summary>
    CrossOrgAuthorization,

    /// <summary><c>cost_limit_exceeded</c>: a charge was denied by a budget (007).</summary>
    CostLimitExceeded,

    /// <summary><c>federation_node_trusted</c>: a federation node was registered or enabled (007).</summary>
    FederationNodeTrusted,

    /// <summary><c>federation_node_revoked</c>: a federation node was disabled (007).</summary>
    FederationNodeRevoked,
}

/// <summary>
/// How serious an audit event is: the PostgreSQL enum <c>severitylevel</c>, ordered from
/// <see cref="Low"/> to <see cref="Critical"/> as the database orders its labels.
/// </summary>
public enum AuditSeverity
{
    /// <summary><c>low</c> (the column's default).</summary>
    Low,

    /// <summary><c>medium</c>.</summary>
    Medium,

    /// <summary><c>high</c>.</summary>
    High,

    /// <summary><c>critical</c>.</summary>
    Critical,
}
