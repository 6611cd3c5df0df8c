using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Hosting;
using Sark.Data.Logging;

namespace Sark.Data.Connection;

/// <summary>Builds the one <see cref="NpgsqlDataSource"/> a process uses and opens connections with clear errors.</summary>
public static class SarkDataSource
{
    // Npgsql drops the password from a data source's connection string, so the printable form
    // (which shows that a password was given, as ***) is kept from creation time.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlDataSource, string> Descriptions = [];

    // The pool serves the stores' calls, which leave no session state behind, so it skips the
    // reset Npgsql otherwise sends before a returned connection's next use (RESET ALL, DISCARD
    // TEMP and more: a second statement on every call, a quarter of a primary-key lookup's
    // time). Work that does change a session (the runner's timeouts, the importer's temporary
    // tables and settings, session advisory locks) opens its connections through OpenAsync from
    // this unpooled companion instead: each is a fresh server session, closed after use, so
    // nothing it sets can reach a pooled connection. An unpooled data source holds no
    // connections, so nothing needs disposing when its pooled twin is.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlDataSource, NpgsqlDataSource> SessionSources = [];

    /// <summary>
    /// The data source a host configures with <see cref="SarkOptions"/> (AddSark registers the one
    /// this makes): refuses invalid options with <see cref="OptionsValidationException"/>, and logs
    /// Npgsql's events and its own through <paramref name="loggerFactory"/>.
    /// </summary>
    public static NpgsqlDataSource Create(SarkOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SarkOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SarkOptions), failures);
        }

        var builder = ConnectionStrings.Parse(options.ConnectionString!);
        if (options.MaxPoolSize is { } max)
        {
            builder.MaxPoolSize = max;
        }

        if (options.MinPoolSize is { } min)
        {
            builder.MinPoolSize = min;
        }

        if (options.CommandTimeout is { } command)
        {
            builder.CommandTimeout = (int)command.TotalSeconds;
        }

        if (options.ConnectTimeout is { } connect)
        {
            builder.Timeout = (int)connect.TotalSeconds;
        }

        return Build(builder, options.ApplicationName, loggerFactory);
    }

    /// <summary>
    /// Creates a data source without the options' checks, for the test harness; its secrets are
    /// registered with <see cref="SecretMasker"/> so no message ever shows it.
    /// <paramref name="applicationName"/> shows up in pg_stat_activity and in the migration lock's
    /// "held by" message, unless the connection string names one. Hosts use the overload that
    /// takes <see cref="SarkOptions"/> (or AddSark), which validates them.
    /// </summary>
    internal static NpgsqlDataSource Create(NpgsqlConnectionStringBuilder builder, string applicationName = SarkOptions.DefaultApplicationName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Build(builder, applicationName, loggerFactory: null);
    }

    // Both ways of creating one end here, so every data source masks its secrets, names itself
    // and can be described the same way.
    private static NpgsqlDataSource Build(NpgsqlConnectionStringBuilder builder, string applicationName, ILoggerFactory? loggerFactory)
    {
        SecretMasker.RegisterSecretsOf(builder);
        var copy = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        if (string.IsNullOrEmpty(copy.ApplicationName))
        {
            copy.ApplicationName = applicationName;
        }

        var description = ConnectionStrings.Describe(copy);
        // Multiplexing needs a pool, and would send a session's commands over whichever physical
        // connection is free: a session connection is always one physical connection of its own.
        var sessions = new NpgsqlConnectionStringBuilder(copy.ConnectionString) { Pooling = false, Multiplexing = false };
        var sessionSource = NewDataSource(sessions, loggerFactory);
        Descriptions.AddOrUpdate(sessionSource, description);

        // A connection string that turns pooling off already gives every open a fresh session.
        copy.NoResetOnClose = copy.Pooling;
        var dataSource = NewDataSource(copy, loggerFactory);
        Descriptions.AddOrUpdate(dataSource, description);
        SessionSources.AddOrUpdate(dataSource, sessionSource);
        (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(SarkDataSource)).DataSourceCreated(description, copy.ApplicationName!);
        return dataSource;
    }

    private static NpgsqlDataSource NewDataSource(NpgsqlConnectionStringBuilder builder, ILoggerFactory? loggerFactory)
    {
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        if (loggerFactory is not null)
        {
            dataSourceBuilder.UseLoggerFactory(loggerFactory);
        }

        return dataSourceBuilder.Build();
    }

    /// <summary>
    /// Opens a connection of its own server session, for work that may change the session
    /// (settings, temporary tables, session locks): turns every way a login can fail into one line
    /// naming the server, and refuses one without a schema sark may work in
    /// (<see cref="WorkingSchema"/>) before anything is done. For a data source this class built,
    /// the connection does not come from the pool, whose connections keep no reset between uses;
    /// for any other, it comes from <paramref name="dataSource"/> as is.
    /// </summary>
    public static Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return OpenCheckedAsync(SessionSources.TryGetValue(dataSource, out var sessions) ? sessions : dataSource, cancellationToken);
    }

    /// <summary>As <see cref="OpenAsync"/>, from the pool: for short reads that change nothing in the session (a health check).</summary>
    public static Task<NpgsqlConnection> OpenPooledAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return OpenCheckedAsync(dataSource, cancellationToken);
    }

    private static async Task<NpgsqlConnection> OpenCheckedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(dataSource, cancellationToken).ConfigureAwait(false);
        try
        {
            await WorkingSchema.RequireAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<NpgsqlConnection> ConnectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
