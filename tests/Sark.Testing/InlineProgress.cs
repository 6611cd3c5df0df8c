namespace Sark.Testing;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs <paramref name="report"/> on the reporting thread, so a
/// test can act (or hold the worker) between steps; <see cref="Progress{T}"/> would post it.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
