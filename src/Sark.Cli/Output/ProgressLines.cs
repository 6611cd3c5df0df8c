using Sark.Data.Connection;
using Sark.Data.Schema;

namespace Sark.Cli.Output;

/// <summary>
/// Prints each progress record as its line, at once and in order on the worker's own thread
/// (<see cref="Progress{T}"/> would post it to the thread pool, after the command's result).
/// </summary>
internal sealed class ProgressLines<T>(Action<string> write) : IProgress<T>
    where T : notnull
{
    // Records that carry a message are printed in the CLI's words (its commands and flags).
    public void Report(T value) => write(value switch
    {
        MigrationProgress step => CliWording.Render(step.Message),
        LockWaiting waiting => CliWording.Render(waiting.Message),
        _ => value.ToString() ?? "",
    });
}
