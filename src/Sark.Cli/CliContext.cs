using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Cli.Output;
using Sark.Data;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Local;

namespace Sark.Cli;

/// <summary>
/// What a command handler needs: its parsed options, output, and the chosen database with the
/// services AddSark registers for it, wired as any host wires them.
/// </summary>
internal sealed class CliContext(ParseResult parseResult, ConsoleOutput output) : IAsyncDisposable
{
    private ServiceProvider? services;

    private MigrationRunnerOptions migrationOptions = new();

    private string? connectionString;

    public ParseResult ParseResult { get; } = parseResult;

    public ConsoleOutput Output { get; } = output;

    public bool Json => ParseResult.GetResult(GlobalOptions.Json) is not null && ParseResult.GetValue(GlobalOptions.Json);

    /// <summary>"db migrate": shown as application_name, so a lock holder is recognisable.</summary>
    public string CommandPath
    {
        get
        {
            var names = new List<string>();
            for (var result = ParseResult.CommandResult; result.Command is not RootCommand; result = (CommandResult)result.Parent!)
            {
                names.Insert(0, result.Command.Name);
            }

            return string.Join(' ', names);
        }
    }

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public LocalPostgres Local
    {
        get
        {
            var dataDir = ParseResult.GetValue(GlobalOptions.DataDir);

            // As with SARK_DATABASE_URL: empty counts as unset, only blanks is a mistake to name
            // rather than a reason to use the default home.
            if (dataDir is null && Environment.GetEnvironmentVariable(LocalPostgresOptions.HomeVariable) is { Length: > 0 } variable
                && string.IsNullOrWhiteSpace(variable))
            {
                throw new UsageException($"{LocalPostgresOptions.HomeVariable} holds only blanks; set it to a folder, or unset it to use the default home");
            }

            return new LocalPostgres(LocalPostgresOptions.Resolve(dataDir));
        }
    }

    /// <summary>
    /// The runner's timeouts, from the command's options (<c>sark db migrate --lock-timeout …</c>).
    /// They go into the services when those are built, so setting them later is a mistake in the
    /// command's code and throws rather than being ignored.
    /// </summary>
    public MigrationRunnerOptions MigrationOptions
    {
        get => migrationOptions;
        set => migrationOptions = services is null ? value
            : throw new InvalidOperationException("MigrationOptions must be set before the command's services are built");
    }

    /// <summary>
    /// The chosen database's connection string as given, password included (a data source's own
    /// ConnectionString leaves the password out), for the child programs a command starts; set by
    /// <see cref="GetServicesAsync"/>. Never print it.
    /// </summary>
    public string ConnectionString => connectionString ?? throw new InvalidOperationException("ConnectionString is known once the command's services are built");

    /// <summary><see cref="ConnectionString"/> parsed (it may be a URL), a new copy each time.</summary>
    public NpgsqlConnectionStringBuilder ConnectionSettings => ConnectionStrings.Parse(ConnectionString);

    /// <summary>
    /// The connection pool's size for the chosen database, known before anything starts: the
    /// configured connection string's Maximum Pool Size, or Npgsql's default for the embedded server.
    /// </summary>
    public int ConfiguredMaxPoolSize => ConfiguredConnection?.MaxPoolSize ?? new NpgsqlConnectionStringBuilder().MaxPoolSize;

    /// <summary>The configured database's settings (--database, else SARK_DATABASE_URL), or null for the embedded one; nothing is started.</summary>
    public NpgsqlConnectionStringBuilder? ConfiguredConnection =>
        DatabaseSelection.Choose(ParseResult.GetValue(GlobalOptions.Database), Environment.GetEnvironmentVariable(DatabaseSelection.Variable))?.Builder;

    /// <summary>The database's data source (see <see cref="GetServicesAsync"/>).</summary>
    public async Task<NpgsqlDataSource> GetDataSourceAsync(CancellationToken cancellationToken) =>
        (await GetServicesAsync(cancellationToken)).GetRequiredService<NpgsqlDataSource>();

    /// <summary>A service AddSark registers (a runner, a verifier), for the chosen database.</summary>
    public async Task<T> GetAsync<T>(CancellationToken cancellationToken)
        where T : notnull =>
        (await GetServicesAsync(cancellationToken)).GetRequiredService<T>();

    /// <summary>
    /// The services for the database to work on: <c>--database</c>, else <c>SARK_DATABASE_URL</c>,
    /// else the embedded local PostgreSQL, started (or reused) on first use.
    /// </summary>
    public async Task<IServiceProvider> GetServicesAsync(CancellationToken cancellationToken)
    {
        if (services is not null)
        {
            return services;
        }

        var configured = DatabaseSelection.Choose(ParseResult.GetValue(GlobalOptions.Database), Environment.GetEnvironmentVariable(DatabaseSelection.Variable));
        string chosen;
        if (configured is not null)
        {
            chosen = configured.Builder.ConnectionString;
            Output.Detail($"database: {ConnectionStrings.Describe(configured.Builder)} (from {configured.Source})");
        }
        else
        {
            var status = await Local.StartAsync(cancellationToken);
            chosen = status.ConnectionString!;
            Output.Detail($"database: {status.ConnectionString} (embedded, home {status.HomeDirectory})");
        }

        var migrations = MigrationOptions;
        connectionString = chosen;
        services = BuildServices(options =>
        {
            options.ConnectionString = chosen;
            options.ApplicationName = $"sark {CommandPath}";
            options.Migrations = migrations;
        });
        return services;
    }

    /// <summary>
    /// AddSark on a container of its own, checked as a host checks its options when it starts. No
    /// logging provider is added: the CLI prints progress itself, and its output stays as documented.
    /// </summary>
    public static ServiceProvider BuildServices(Action<SarkOptions> configure)
    {
        var provider = new ServiceCollection().AddSark(configure).AddSarkV1Import().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            // The options come from the command line and environment: a bad one is a usage error.
            provider.Dispose();
            throw new UsageException(string.Join("; ", ex.Failures), ex);
        }

        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }
}
