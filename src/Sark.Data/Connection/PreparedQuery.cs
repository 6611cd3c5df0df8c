using Npgsql;

namespace Sark.Data.Connection;

/// <summary>
/// A store's hot, fixed statement on a pooled connection of its own, prepared. Npgsql keeps a
/// prepared statement on the physical connection across rentals from the pool, so only a
/// connection's first call pays the server's parse and plan; later ones send Bind and Execute
/// alone (the plan was a third of a primary-key lookup's server time). Only for statements whose
/// text is one of a few: every distinct text stays prepared on every connection that ran it.
/// </summary>
internal sealed class PreparedQuery : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;

    private PreparedQuery(NpgsqlConnection connection, NpgsqlCommand command)
    {
        this.connection = connection;
        Command = command;
    }

    /// <summary>The command, its parameters bound, ready to execute.</summary>
    public NpgsqlCommand Command { get; }

    /// <summary>Rents a connection, binds the parameters with <paramref name="bind"/> and prepares <paramref name="sql"/> on it.</summary>
    public static async Task<PreparedQuery> OpenAsync(
        NpgsqlDataSource dataSource, string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(bind);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = new NpgsqlCommand(sql, connection);
            bind(command.Parameters);
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            return new PreparedQuery(connection, command);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
