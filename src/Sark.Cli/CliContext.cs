using System.CommandLine;
using System.CommandLine.Parsing;
using Npgsql;
using Sark.Cli.Output;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Local;

namespace Sark.Cli;

/// <summary>What a command handler needs: its parsed options, output, and the chosen database.</summary>
internal sealed class CliContext(ParseResult parseResult, ConsoleOutput output) : IAsyncDisposable
{
    private NpgsqlDataSource? dataSource;

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
    /// The database to work on: <c>--database</c>, else <c>SARK_DATABASE_URL</c>, else the embedded
    /// local PostgreSQL, started (or reused) on first use.
    /// </summary>
    public async Task<NpgsqlDataSource> GetDataSourceAsync(CancellationToken cancellationToken)
    {
        if (dataSource is not null)
        {
            return dataSource;
        }

        var configured = DatabaseSelection.Choose(ParseResult.GetValue(GlobalOptions.Database), Environment.GetEnvironmentVariable(DatabaseSelection.Variable));
        NpgsqlConnectionStringBuilder builder;
        if (configured is not null)
        {
            builder = configured.Builder;
            Output.Detail($"database: {ConnectionStrings.Describe(builder)} (from {configured.Source})");
        }
        else
        {
            var status = await Local.StartAsync(cancellationToken);
            builder = ConnectionStrings.Parse(status.ConnectionString!);
            Output.Detail($"database: {status.ConnectionString} (embedded, home {status.HomeDirectory})");
        }

        dataSource = SarkDataSource.Create(builder, $"sark {CommandPath}");
        return dataSource;
    }

    public async ValueTask DisposeAsync()
    {
        if (dataSource is not null)
        {
            await dataSource.DisposeAsync();
        }
    }
}
