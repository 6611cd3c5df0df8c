using System.Security.Cryptography.X509Certificates;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;
using Sark.Data.Registry;

namespace Sark.Data.Federation;

public sealed partial class FederationRegistry
{
    // One statement: the row lock, the change and the event. A concurrent disable waits for the
    // lock, then sees the node already disabled and writes no second event.
    private const string DisableSql = """
        WITH target AS (
            SELECT id, enabled FROM federation_nodes WHERE node_id = $1 FOR UPDATE
        ), changed AS (
            UPDATE federation_nodes AS f SET enabled = false
            FROM target WHERE f.id = target.id AND target.enabled
            RETURNING f.node_id, f.cert_fingerprint_sha256
        ), audit AS (
            INSERT INTO audit_events (id, event_type, severity, target_node, details)
            SELECT $2, 'federation_node_revoked', 'high', node_id,
                   jsonb_strip_nulls(jsonb_build_object('fingerprint_sha256', cert_fingerprint_sha256, 'reason', $3::text))
            FROM changed
        )
        SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM changed)
        """;

    /// <summary>
    /// Revokes trust in a node: its certificate no longer verifies and its requests are refused.
    /// Writes a <c>federation_node_revoked</c> audit event (with <paramref name="reason"/>) and
    /// returns true; a node already disabled is left as it is, without an event, and gives false.
    /// An unknown node is <see cref="SarkErrorKind.NotFound"/>.
    /// </summary>
    public async Task<bool> DisableAsync(string nodeId, string? reason = null, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        RegistryValues.CheckStorableText(reason, "reason", showValue: false);
        if (reason is { Length: > 1000 })
        {
            throw new UsageException($"reason is {reason.Length} characters long; expected at most 1000");
        }

        try
        {
            var command = dataSource.CreateCommand(DisableSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            command.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrWhiteSpace(reason) ? DBNull.Value : reason, NpgsqlDbType = NpgsqlDbType.Text });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (found, changed) = (reader.GetInt64(0), reader.GetInt64(1));
            if (found == 0)
            {
                throw NotRegistered(nodeId);
            }

            if (changed > 0)
            {
                logger.NodeRevoked(nodeId);
            }

            return changed > 0;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"disabling federation node '{nodeId}'");
        }
    }

    private const string LockNodeSql = "SELECT enabled, trust_anchor_cert, cert_fingerprint_sha256 FROM federation_nodes WHERE node_id = $1 FOR UPDATE";
    private const string EnableSql = "UPDATE federation_nodes SET enabled = true, trusted_since = now() WHERE node_id = $1";

    /// <summary>
    /// Trusts a disabled node again: writes a <c>federation_node_trusted</c> audit event, restarts
    /// trusted_since and returns true; an enabled node is left as it is and gives false. A node whose
    /// certificate is not valid now is a <see cref="SarkErrorKind.Conflict"/>: rotate it first.
    /// </summary>
    public async Task<bool> EnableAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            var (enabled, pem, _) = await LockNodeAsync(connection, nodeId, cancellationToken).ConfigureAwait(false);
            if (enabled)
            {
                return false;
            }

            var what = $"trust anchor certificate of node '{nodeId}'";
            TrustAnchor anchor;
            try
            {
                anchor = TrustAnchor.Parse(pem, what);
                anchor.CheckValidAt(clock.GetUtcNow(), what);
            }
            catch (UsageException ex)
            {
                throw new SarkException(SarkErrorKind.Conflict, $"cannot enable federation node '{nodeId}': {ex.Message}; rotate its certificate first", ex);
            }

            var update = new NpgsqlCommand(EnableSql, connection, transaction);
            await using (update.ConfigureAwait(false))
            {
                update.Parameters.Add(new NpgsqlParameter { Value = nodeId });
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteAuditAsync(connection, transaction, FederationAudit.Trusted, "medium", nodeId,
                FederationAudit.CertificateDetails(anchor, ("enabled_again", true)), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.NodeTrusted(nodeId, anchor.Fingerprint);
            return true;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"enabling federation node '{nodeId}'");
        }
    }

    private const string RotateSql = "UPDATE federation_nodes SET trust_anchor_cert = $2, cert_fingerprint_sha256 = $3 WHERE node_id = $1";

    /// <summary>
    /// Replaces a node's trust anchor with <paramref name="newCertificatePem"/> (checked as at
    /// registration) and writes a <c>federation_node_trusted</c> audit event whose details name the
    /// previous fingerprint (<c>rotated_from</c>); returns true. The same certificate again changes
    /// nothing and gives false. The node's enabled state is kept.
    /// </summary>
    public async Task<bool> RotateCertificateAsync(string nodeId, string newCertificatePem, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        var what = $"new trust anchor certificate of node '{nodeId}'";
        var anchor = TrustAnchor.Parse(newCertificatePem, what);
        anchor.CheckValidAt(clock.GetUtcNow(), what);
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            var (enabled, _, oldFingerprint) = await LockNodeAsync(connection, nodeId, cancellationToken).ConfigureAwait(false);
            if (oldFingerprint == anchor.Fingerprint)
            {
                return false;
            }

            var update = new NpgsqlCommand(RotateSql, connection, transaction);
            await using (update.ConfigureAwait(false))
            {
                update.Parameters.Add(new NpgsqlParameter { Value = nodeId });
                update.Parameters.Add(new NpgsqlParameter { Value = anchor.Pem });
                update.Parameters.Add(new NpgsqlParameter { Value = anchor.Fingerprint });
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteAuditAsync(connection, transaction, FederationAudit.Trusted, "medium", nodeId,
                FederationAudit.CertificateDetails(anchor, ("rotated_from", oldFingerprint), ("enabled", enabled)), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.CertificateRotated(nodeId, oldFingerprint, anchor.Fingerprint);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == FingerprintIndex)
        {
            throw AnchorTaken(nodeId, anchor, ex);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"rotating the certificate of federation node '{nodeId}'");
        }
    }

    /// <summary>
    /// Whether <paramref name="presentedCertificatePem"/> (one PEM certificate) is the trust anchor of
    /// an enabled node and valid now. A certificate that is not trusted is a result, never an
    /// exception; text that is not one PEM certificate is a <see cref="UsageException"/>.
    /// </summary>
    public Task<NodeVerification> VerifyAsync(string nodeId, string presentedCertificatePem, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        return VerifyAsync(nodeId, TrustAnchor.Parse(presentedCertificatePem, $"certificate presented by node '{nodeId}'"), cancellationToken);
    }

    /// <summary>As <see cref="VerifyAsync(string, string, CancellationToken)"/>, for a certificate a TLS handshake gave.</summary>
    public Task<NodeVerification> VerifyAsync(string nodeId, X509Certificate2 presentedCertificate, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        ArgumentNullException.ThrowIfNull(presentedCertificate);
        return VerifyAsync(nodeId, TrustAnchor.From(presentedCertificate), cancellationToken);
    }

    private const string VerifySql = "SELECT enabled, cert_fingerprint_sha256 FROM federation_nodes WHERE node_id = $1";

    private async Task<NodeVerification> VerifyAsync(string nodeId, TrustAnchor presented, CancellationToken cancellationToken)
    {
        bool? enabled = null;
        string? expected = null;
        try
        {
            var command = dataSource.CreateCommand(VerifySql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                enabled = reader.GetBoolean(0);
                expected = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"verifying the certificate of federation node '{nodeId}'");
        }

        var now = clock.GetUtcNow();
        var (status, reason) = enabled switch
        {
            null => (NodeTrustStatus.UnknownNode, $"federation node '{nodeId}' is not registered"),
            false => (NodeTrustStatus.Revoked, $"federation node '{nodeId}' is disabled (trust revoked)"),
            _ when expected != presented.Fingerprint => (NodeTrustStatus.FingerprintMismatch,
                $"the certificate's SHA-256 {presented.Fingerprint} is not the trust anchor of node '{nodeId}' ({expected ?? "none stored"})"),
            _ when now < presented.NotBefore => (NodeTrustStatus.NotYetValid,
                $"the certificate of node '{nodeId}' is valid only from {TrustAnchor.Iso(presented.NotBefore)}; now is {TrustAnchor.Iso(now)}"),
            _ when now > presented.NotAfter => (NodeTrustStatus.Expired,
                $"the certificate of node '{nodeId}' expired at {TrustAnchor.Iso(presented.NotAfter)}; now is {TrustAnchor.Iso(now)}"),
            _ => (NodeTrustStatus.Trusted, $"the certificate is the trust anchor of enabled node '{nodeId}', valid until {TrustAnchor.Iso(presented.NotAfter)}"),
        };
        if (status != NodeTrustStatus.Trusted)
        {
            logger.VerificationFailed(nodeId, status);
        }

        return new NodeVerification(nodeId, status, presented.Fingerprint, expected, reason);
    }

    private static async Task<(bool Enabled, string Pem, string? Fingerprint)> LockNodeAsync(
        NpgsqlConnection connection, string nodeId, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(LockNodeSql, connection);
        await using var commandDisposal = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetBoolean(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : throw NotRegistered(nodeId);
    }

    private static async Task WriteAuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string eventType, string severity, string nodeId, string details, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(FederationAudit.InsertSql, connection, transaction);
        await using var commandDisposal = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new NpgsqlParameter { Value = eventType });
        command.Parameters.Add(new NpgsqlParameter { Value = severity });
        command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
        command.Parameters.Add(new NpgsqlParameter { Value = details, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SarkException NotRegistered(string nodeId) =>
        new(SarkErrorKind.NotFound, $"federation node '{nodeId}' is not registered");
}
