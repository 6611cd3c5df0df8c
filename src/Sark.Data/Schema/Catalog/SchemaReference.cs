using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Data.Connection;

namespace Sark.Data.Schema.Catalog;

/// <summary>
/// The shape a database should have at a version: the up scripts 1..version are run in a scratch
/// schema inside a transaction that is always rolled back, and the scratch schema is read. Nothing
/// is left behind; the live tables are never touched. Scripts use unqualified names, so search_path
/// steers every object into the scratch schema.
/// </summary>
internal static partial class SchemaReference
{
    public static async Task<CatalogModel> BuildAsync(
        NpgsqlConnection connection, MigrationSet migrations, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        migrations.ValidateVersion(version);
        var schema = $"sark_reference_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        try
        {
            await RunAsync(connection, $"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
            await RunAsync(connection, $"SET LOCAL search_path = {schema}", cancellationToken).ConfigureAwait(false);
            for (var v = 1; v <= version; v++)
            {
                // CONCURRENTLY cannot run in a transaction and builds the same index without it.
                var sql = migrations[v].Up.Transactional ? migrations[v].Up.Sql : Concurrently().Replace(migrations[v].Up.Sql, "");
                await RunAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            }

            return await CatalogReader.ReadAsync(connection, schema, [], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await EndedSession.RollbackUnlessEndedAsync(connection, transaction).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the connection's current schema (the first of its search_path, where the runner
    /// creates everything; normally <c>public</c>) in a transaction of its own, leaving out
    /// <paramref name="otherBookkeepingTables"/> besides sark's own.
    /// </summary>
    public static async Task<CatalogModel> ReadLiveAsync(
        NpgsqlConnection connection, IReadOnlyCollection<string> otherBookkeepingTables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        try
        {
            var name = await WorkingSchema.RequireAsync(connection, cancellationToken).ConfigureAwait(false);
            return await CatalogReader.ReadAsync(connection, name, otherBookkeepingTables, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await EndedSession.RollbackUnlessEndedAsync(connection, transaction).ConfigureAwait(false);
        }
    }

    private static async Task RunAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex(@"\bCONCURRENTLY\b", RegexOptions.IgnoreCase)]
    private static partial Regex Concurrently();
}
