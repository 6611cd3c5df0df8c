using System.CommandLine;
using Sark.V1Import;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark v1-sample</c>: fills an empty v1 database with generated servers and tools (some invalid
/// on purpose), for trying the v1→v2 migration and for the benchmark.
/// </summary>
internal static class V1SampleCommand
{
    // The generator numbers tools as (server - 1) * tools per server + tool in a PostgreSQL integer:
    // these limits keep that below 2^31, so a large sample cannot fail halfway through.
    public const int MaximumServers = 10_000_000;
    public const int MaximumToolsPerServer = 200;

    private static readonly Option<int> Servers = ServersOption("Number of v1 servers", 300);
    private static readonly Option<int> ToolsPerServer = ToolsPerServerOption("Tools per server");

    /// <summary>--servers, shared with the benchmark, which uses the same generator.</summary>
    public static Option<int> ServersOption(string description, int defaultValue) =>
        new Option<int>("--servers") { Description = description, DefaultValueFactory = _ => defaultValue }.InRange(1, MaximumServers);

    /// <summary>--tools-per-server, shared with the benchmark.</summary>
    public static Option<int> ToolsPerServerOption(string description) =>
        new Option<int>("--tools-per-server") { Description = description, DefaultValueFactory = _ => 10 }.InRange(0, MaximumToolsPerServer);

    public static Command Build()
    {
        var command = new Command("v1-sample", $"Generate a v1 data set into empty v1 tables (one server in {SampleData.InvalidServerEvery} and one tool in {SampleData.InvalidToolEvery} invalid, a duplicate tool name on one server in {SampleData.DuplicateToolServerEvery})")
        {
            Servers, ToolsPerServer,
        };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var dataSource = await context.GetDataSourceAsync(cancellationToken);
            var (servers, tools) = await SampleData.GenerateAsync(dataSource, context.Get(Servers), context.Get(ToolsPerServer), cancellationToken);
            context.Output.Line($"generated {servers:N0} v1 servers and {tools:N0} v1 tools");
            return ExitCodes.Success;
        });
        return command;
    }
}
