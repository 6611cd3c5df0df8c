using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Federation;

/// <summary>
/// The trusted peer nodes of this SARK instance (federation_nodes): registration with a trust
/// anchor certificate, lookup, listing, enable/disable (revocation), certificate verification and
/// rotation, each change with its audit event in the same transaction; and the per-node hourly
/// request limit, counted atomically in federation_request_counts so it holds across restarts and
/// service instances. Input is checked before a connection opens: bad input writes nothing.
/// <paramref name="timeProvider"/> is the clock certificates are checked against and requests are
/// counted by (its UTC hour); audit events and trusted_since take the database's clock.
/// </summary>
public sealed partial class FederationRegistry(
    NpgsqlDataSource dataSource, ILogger<FederationRegistry>? logger = null, TimeProvider? timeProvider = null)
{
    private const string NodeColumns =
        "id, node_id, name, endpoint, trust_anchor_cert, cert_fingerprint_sha256, enabled, trusted_since, rate_limit_per_hour, metadata::text, created_at, updated_at";

    // The only unique index of federation_nodes: the name a duplicate registration fails on.
    private const string NodeIdIndex = "ix_federation_nodes_node_id";

    // Migration 010: a certificate is the trust anchor of one node only.
    internal const string FingerprintIndex = "ux_federation_nodes_fingerprint";

    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly ILogger logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;

    // The node and its federation_node_trusted event in one statement, so one commits only with
    // the other; a second registration of the node id fails on the unique index.
    private const string RegisterSql = $"""
        WITH node AS (
            INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, cert_fingerprint_sha256, rate_limit_per_hour, metadata)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            RETURNING {NodeColumns}
        ), audit AS (
            INSERT INTO audit_events (id, event_type, severity, target_node, details)
            SELECT $8, 'federation_node_trusted', 'medium', node.node_id, $9 FROM node
        )
        SELECT {NodeColumns} FROM node
        """;

    /// <summary>
    /// Registers a node and trusts its certificate, writing a <c>federation_node_trusted</c> audit
    /// event in the same transaction. A node id that is already registered is a
    /// <see cref="SarkErrorKind.Conflict"/> (also when several register it at once: one wins); change
    /// a registered node's certificate with <see cref="RotateCertificateAsync"/>.
    /// </summary>
    public async Task<FederationNode> RegisterAsync(NodeRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var nodeId = FederationInput.NodeId(registration.NodeId);
        var name = FederationInput.Name(registration.Name);
        var endpoint = FederationInput.Endpoint(registration.Endpoint, registration.AllowInsecureEndpoint);
        var rateLimit = FederationInput.RateLimit(registration.RateLimitPerHour);
        var metadata = FederationInput.Metadata(registration.Metadata);
        var what = $"trust anchor certificate of node '{nodeId}'";
        var anchor = TrustAnchor.Parse(registration.TrustAnchorPem, what);
        anchor.CheckValidAt(clock.GetUtcNow(), what);

        try
        {
            var command = dataSource.CreateCommand(RegisterSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = endpoint });
            command.Parameters.Add(new NpgsqlParameter { Value = anchor.Pem });
            command.Parameters.Add(new NpgsqlParameter { Value = anchor.Fingerprint });
            command.Parameters.Add(new NpgsqlParameter { Value = rateLimit });
            command.Parameters.Add(new NpgsqlParameter { Value = metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            command.Parameters.Add(new NpgsqlParameter { Value = FederationAudit.CertificateDetails(anchor, ("endpoint", endpoint)), NpgsqlDbType = NpgsqlDbType.Jsonb });
            var node = await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
            logger.NodeTrusted(nodeId, anchor.Fingerprint);
            return node!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == NodeIdIndex)
        {
            throw new SarkException(
                SarkErrorKind.Conflict,
                $"federation node '{nodeId}' is already registered; rotate its certificate or enable/disable it instead of registering it again",
                ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == FingerprintIndex)
        {
            throw AnchorTaken(nodeId, anchor, ex);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"registering federation node '{nodeId}'");
        }
    }

    internal const string FindSql = $"SELECT {NodeColumns} FROM federation_nodes WHERE node_id = $1";

    /// <summary>The node registered as <paramref name="nodeId"/>, or null.</summary>
    public async Task<FederationNode?> FindAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        try
        {
            var statement = await PreparedQuery.OpenAsync(
                dataSource, FindSql, parameters => parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId }), cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            return await ReadSingleAsync(statement.Command, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"looking up federation node '{nodeId}'");
        }
    }

    private const string ListSql = $"""
        SELECT {NodeColumns} FROM federation_nodes
        WHERE (NOT $1 OR enabled) AND ($2::text IS NULL OR node_id > $2)
        ORDER BY node_id
        LIMIT $3
        """;

    /// <summary>
    /// Registered nodes ordered by node id, <paramref name="limit"/> (1 to 1000) at a time; only
    /// enabled ones when <paramref name="enabledOnly"/>. Pass the page's NextCursor back with the
    /// same <paramref name="enabledOnly"/> for the next page.
    /// </summary>
    public async Task<Page<FederationNode>> ListAsync(
        bool enabledOnly = false, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        PageCursor.CheckLimit(limit);
        var scope = $"federation_nodes:enabled_only={enabledOnly}";
        var after = cursor is null ? null : PageCursor.Decode(cursor, scope, 1)[0];
        try
        {
            var command = dataSource.CreateCommand(ListSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = enabledOnly });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
            var nodes = new List<FederationNode>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                nodes.Add(ReadNode(reader));
            }

            if (nodes.Count <= limit)
            {
                return new Page<FederationNode>(nodes, null);
            }

            nodes.RemoveAt(limit);
            return new Page<FederationNode>(nodes, PageCursor.Encode(scope, nodes[^1].NodeId));
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "listing federation nodes");
        }
    }

    private static async Task<FederationNode?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadNode(reader) : null;
    }

    private static FederationNode ReadNode(NpgsqlDataReader reader)
    {
        var pem = reader.GetString(4);
        TrustAnchor? anchor;
        try
        {
            anchor = TrustAnchor.Parse(pem, "stored trust anchor");
        }
        catch (UsageException)
        {
            anchor = null; // a row written before the library checked certificates
        }

        return new FederationNode
        {
            Id = reader.GetGuid(0),
            NodeId = reader.GetString(1),
            Name = reader.GetString(2),
            Endpoint = reader.GetString(3),
            TrustAnchorPem = pem,
            CertificateFingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
            CertificateSubject = anchor?.Subject,
            CertificateNotBefore = anchor?.NotBefore,
            CertificateNotAfter = anchor?.NotAfter,
            Enabled = reader.GetBoolean(6),
            TrustedSince = reader.GetFieldValue<DateTimeOffset>(7),
            RateLimitPerHour = reader.GetInt32(8),
            Metadata = reader.GetString(9),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(10),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(11),
        };
    }

    // Another node's certificate would let either node pass for the other.
    private static SarkException AnchorTaken(string nodeId, TrustAnchor anchor, PostgresException ex) =>
        new(SarkErrorKind.Conflict,
            $"the certificate for node '{nodeId}' (SHA-256 {anchor.Fingerprint}) is already the trust anchor of another node; each node needs a certificate of its own",
            ex);
}
