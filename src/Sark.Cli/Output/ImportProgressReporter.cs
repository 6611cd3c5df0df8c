using System.Diagnostics;
using Spectre.Console;
using Sark.V1Import;

namespace Sark.Cli.Output;

/// <summary>
/// Shows an import's progress on stderr: a Spectre progress bar (rows, rate, time left) when
/// stderr is a terminal, otherwise a plain line at most every two seconds and at each phase change.
/// </summary>
internal sealed class ImportProgressReporter
{
    private readonly TextWriter error;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long firstDone = -1;
    private string? lastPhase;
    private TimeSpan lastLine = TimeSpan.MinValue;

    public ImportProgressReporter(TextWriter error) => this.error = error;

    public static bool StderrIsTerminal(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="work"/> with a progress sink wired to the bar or to plain lines.</summary>
    public async Task<T> RunAsync<T>(Func<IProgress<ImportProgress>, Task<T>> work)
    {
        if (!StderrIsTerminal(error))
        {
            return await work(new Sink(Line));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedlessRateColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("v1 -> v2", maxValue: 1);
                result = await work(new Sink(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = $"{p.Phase} {p.Done:N0}/{p.Total:N0} rows";
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private void Line(ImportProgress progress)
    {
        if (firstDone < 0)
        {
            firstDone = progress.Done;
        }

        var now = clock.Elapsed;
        if (progress.Phase == lastPhase && now - lastLine < TimeSpan.FromSeconds(2) && progress.Done < progress.Total)
        {
            return;
        }

        lastPhase = progress.Phase;
        lastLine = now;
        var rate = (progress.Done - firstDone) / Math.Max(now.TotalSeconds, 0.001);
        var speed = rate > 0 ? $", {rate:N0} rows/s, about {(progress.Total - progress.Done) / rate:0} s left" : "";
        error.WriteLine($"{progress.Phase}: {progress.Done:N0}/{progress.Total:N0} rows ({100.0 * progress.Done / Math.Max(1, progress.Total):0.0}%){speed}");
    }

    private sealed class Sink(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    /// <summary>Rows per second, from the task's own speed estimate.</summary>
    private sealed class TransferSpeedlessRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed:N0} rows/s" : "");
    }
}
