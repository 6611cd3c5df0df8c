using System.CommandLine;
using Sark.Cli.Output;

namespace Sark.Cli.Commands;

internal static class CommandHandlers
{
    /// <summary>Wires a handler that gets a <see cref="CliContext"/>, disposed after it returns.</summary>
    public static void SetHandler(this Command command, Func<CliContext, CancellationToken, Task<int>> handler) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var invocation = parseResult.InvocationConfiguration;
            var isTerminal = ReferenceEquals(invocation.Output, Console.Out) && !Console.IsOutputRedirected;
            var output = new ConsoleOutput(invocation.Output, invocation.Error, isTerminal, parseResult.GetValue(GlobalOptions.Verbose));
            await using var context = new CliContext(parseResult, output);
            return await handler(context, cancellationToken);
        });
}
