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
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await RunAsync(connection, $"CREATE SCHEMA {schema}", cancellationToken);
            await RunAsync(connection, $"SET LOCAL search_path = {schema}", cancellationToken);
            for (var v = 1; v <= version; v++)
            {
                // CONCURRENTLY cannot run in a transaction and builds the same index without it.
                var sql = migrations[v].Up.Transactional ? migrations[v].Up.Sql : Concurrently().Replace(migrations[v].Up.Sql, "");
                await RunAsync(connection, sql, cancellationToken);
            }

            return await CatalogReader.ReadAsync(connection, schema, [], cancellationToken);
        }
        finally
        {
            await EndedSession.RollbackUnlessEndedAsync(connection, transaction);
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
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var name = await Sark.Data.Connection.WorkingSchema.RequireAsync(connection, cancellationToken);
            return await CatalogReader.ReadAsync(connection, name, otherBookkeepingTables, cancellationToken);
        }
        finally
        {
            await EndedSession.RollbackUnlessEndedAsync(connection, transaction);
        }
    }

    private static async Task RunAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex(@"\bCONCURRENTLY\b", RegexOptions.IgnoreCase)]
    private static partial Regex Concurrently();
}
