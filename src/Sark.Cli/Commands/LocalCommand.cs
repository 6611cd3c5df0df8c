using System.CommandLine;
using Sark.Data.Errors;
using Sark.Local;

namespace Sark.Cli.Commands;

/// <summary><c>sark local …</c>: the embedded PostgreSQL used when no database is configured.</summary>
internal static class LocalCommand
{
    public static Command Build()
    {
        var local = new Command("local", "Manage the embedded local PostgreSQL (the default database)") { GlobalOptions.Json };

        var start = new Command("start", "Initialise (first time) and start the embedded PostgreSQL, or reuse the running one");
        start.SetHandler(async (context, cancellationToken) =>
        {
            var status = await context.Local.StartAsync(cancellationToken);
            Write(context, status);
            return ExitCodes.Success;
        });

        var stop = new Command("stop", "Stop the embedded PostgreSQL");
        stop.SetHandler(async (context, cancellationToken) =>
        {
            var local = context.Local;
            var wasRunning = await local.StopAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new { stopped = wasRunning, home = local.Options.HomeDirectory });
            }
            else
            {
                context.Output.Line(wasRunning ? $"stopped the embedded PostgreSQL in {local.Options.HomeDirectory}" : $"the embedded PostgreSQL in {local.Options.HomeDirectory} was not running");
            }

            return ExitCodes.Success;
        });

        var status = new Command("status", "Show whether the embedded PostgreSQL runs, its port and data directory");
        status.SetHandler(async (context, cancellationToken) =>
        {
            Write(context, await context.Local.StatusAsync(cancellationToken));
            return ExitCodes.Success;
        });

        var url = new Command("url", "Print the connection string of the running embedded PostgreSQL");
        url.SetHandler(async (context, cancellationToken) =>
        {
            var current = await context.Local.StatusAsync(cancellationToken);
            if (current.State == LocalServerState.RunningInsecure)
            {
                throw new SarkException($"the embedded PostgreSQL in {current.HomeDirectory} still runs with an earlier sark's TCP listener; run 'sark local start' to restart it socket-only");
            }

            if (current.State != LocalServerState.Running)
            {
                throw new SarkException($"the embedded PostgreSQL in {current.HomeDirectory} is not running; start it with 'sark local start'");
            }

            context.Output.Line(current.ConnectionString!);
            return ExitCodes.Success;
        });

        local.Subcommands.Add(start);
        local.Subcommands.Add(stop);
        local.Subcommands.Add(status);
        local.Subcommands.Add(url);
        return local;
    }

    private static string StateText(LocalServerState state) => state switch
    {
        LocalServerState.NotInitialised => "not-initialised",
        LocalServerState.RunningInsecure => "running-insecure",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static void Write(CliContext context, LocalServerStatus status)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                state = StateText(status.State),
                home = status.HomeDirectory,
                port = status.Port,
                pid = status.ProcessId,
                postgres_version = status.MajorVersion,
                url = status.ConnectionString,
            });
            return;
        }

        context.Output.Table(
            ["State", "Home", "Port", "PID", "PostgreSQL", "URL"],
            [[
                StateText(status.State),
                status.HomeDirectory,
                status.Port?.ToString() ?? "",
                status.ProcessId?.ToString() ?? "",
                status.MajorVersion?.ToString() ?? "",
                status.ConnectionString ?? "",
            ]]);
    }
}
