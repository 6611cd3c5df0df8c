namespace Sark.Cli.Output;

/// <summary>
/// Prints each progress record as its line, at once and in order on the worker's own thread
/// (<see cref="Progress{T}"/> would post it to the thread pool, after the command's result).
/// </summary>
internal sealed class ProgressLines<T>(Action<string> write) : IProgress<T>
    where T : notnull
{
    public void Report(T value) => write(value.ToString() ?? "");
}
