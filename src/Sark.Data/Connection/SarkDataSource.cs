using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>Builds the one <see cref="NpgsqlDataSource"/> a process uses and opens connections with clear errors.</summary>
public static class SarkDataSource
{
    // Npgsql drops the password from a data source's connection string, so the printable form
    // (which shows that a password was given, as ***) is kept from creation time.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlDataSource, string> Descriptions = [];

    /// <summary>
    /// Creates a data source; its secrets are registered with <see cref="SecretMasker"/> so no
    /// message ever shows it. <paramref name="applicationName"/> shows up in pg_stat_activity and in
    /// the migration lock's "held by" message.
    /// </summary>
    public static NpgsqlDataSource Create(NpgsqlConnectionStringBuilder builder, string applicationName = "sark")
    {
        ArgumentNullException.ThrowIfNull(builder);
        SecretMasker.RegisterSecretsOf(builder);
        var copy = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        if (string.IsNullOrEmpty(copy.ApplicationName))
        {
            copy.ApplicationName = applicationName;
        }

        var dataSource = NpgsqlDataSource.Create(copy);
        Descriptions.AddOrUpdate(dataSource, ConnectionStrings.Describe(copy));
        return dataSource;
    }

    /// <summary>
    /// Opens a connection, turning every way a login can fail into one line naming the server, and
    /// refuses one without a schema sark may work in (<see cref="WorkingSchema"/>) before anything is done.
    /// </summary>
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(dataSource, cancellationToken);
        try
        {
            await WorkingSchema.RequireAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<NpgsqlConnection> ConnectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            var target = Descriptions.TryGetValue(dataSource, out var described)
                ? described
                : ConnectionStrings.Describe(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString));
            throw new DatabaseUnavailableException(
                $"cannot connect to {SecretMasker.Redact(target)}: {SecretMasker.Redact(Reason(ex))}; check the address and credentials ({SarkTerms.ConnectionSettings})", ex);
        }
    }

    private static string Reason(Exception ex)
    {
        if (ex is PostgresException pg)
        {
            return PostgresErrors.Describe(pg);
        }

        // Npgsql wraps the socket error; its message is the useful part.
        var inner = ex;
        while (inner.InnerException is not null && inner is not System.Net.Sockets.SocketException)
        {
            inner = inner.InnerException;
        }

        return ConnectionStrings.FirstLine(inner.Message).TrimEnd('.');
    }
}
