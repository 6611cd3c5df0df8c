namespace Sark.Data.Connection;

/// <summary>
/// An <see cref="IProgress{T}"/> that hands each report on at once, on the reporting thread: the
/// runner's listeners act while it still holds its lock (unlike <see cref="Progress{T}"/>, which posts).
/// </summary>
internal sealed class ProgressRelay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
