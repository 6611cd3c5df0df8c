using System.CommandLine;
using Sark.Data.Errors;
using Sark.V1Import;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark v1-sample</c>: fills an empty v1 database with generated servers and tools (some invalid
/// on purpose), for trying the v1→v2 migration and for the benchmark.
/// </summary>
internal static class V1SampleCommand
{
    private static readonly Option<int> Servers = new("--servers") { Description = "Number of v1 servers", DefaultValueFactory = _ => 300 };
    private static readonly Option<int> ToolsPerServer = new("--tools-per-server") { Description = "Tools per server", DefaultValueFactory = _ => 10 };

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
