using System.Globalization;

namespace Sark.Cli.Bench;

/// <summary>
/// How far the data generation is, on stderr: one line redrawn in place on a terminal (a progress
/// bar), otherwise a line per table each time a report (every 50,000 rows, and the last) passes
/// another quarter, so a log stays short.
/// </summary>
internal sealed class GenerationProgress(TextWriter error, string indent = "") : IProgress<(string Table, long Done, long Total)>
{
    private const int BarWidth = 30;

    private readonly bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    private int lastQuarter = -1;

    private string lastTable = "";

    public void Report((string Table, long Done, long Total) value)
    {
        var (table, done, total) = value;
        var fraction = total == 0 ? 1 : (double)done / total;
        if (table != lastTable)
        {
            (lastTable, lastQuarter) = (table, -1);
        }

        if (terminal)
        {
            var filled = (int)(fraction * BarWidth);
            error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{indent}  {table,-12} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {done:N0}/{total:N0}"));
            if (done == total)
            {
                error.WriteLine();
            }

            return;
        }

        var quarter = (int)(fraction * 4);
        if (quarter > lastQuarter)
        {
            lastQuarter = quarter;
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{indent}  {table}: {done:N0}/{total:N0} rows ({fraction * 100:0}%)"));
        }
    }
}
