using Sark.Testing;

namespace Sark.Cli.Tests.Docs;

/// <summary>
/// The documented error examples, run as shown: every <c>$ sark …</c> line without placeholders or
/// a situation comment whose output shows a <c>sark: </c> error line runs against a database at the
/// newest version (its own <c>--database</c> when it names one), and must print that exact line,
/// and the exit code of a following <c>$ echo $?</c>.
/// </summary>
public sealed class DocumentedErrorExamplesTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static IEnumerable<DocCommand> Runnable => DocCommands.All.Where(c =>
        !c.IsSynopsis && !c.HasPlaceholders && c.Comment is null && c.Line.Text.StartsWith("$ ", StringComparison.Ordinal)
        && c.Output.Any(IsErrorLine));

    private static bool IsErrorLine(DocLine line) => line.Text.StartsWith("sark: ", StringComparison.Ordinal);

    [Fact]
    public void Several_documented_error_examples_are_runnable()
    {
        // Guards the selection: examples marked with a comment or using placeholders are skipped,
        // but the plain usage errors of cli.md must be run.
        Assert.True(Runnable.Count() >= 8, $"only {Runnable.Count()} runnable error examples found");
    }

    [Fact]
    public async Task Every_documented_error_example_prints_the_documented_error_and_exit_code()
    {
        var failures = new List<string>();
        foreach (var example in Runnable)
        {
            var args = example.Arguments.Contains("--database") ? example.Arguments : [.. example.Arguments, "--database", fixture.Database.Url];
            var result = await CliRunner.RunAsync([.. args]);
            var expected = example.Output.First(IsErrorLine);
            var actual = result.ErrorLines.FirstOrDefault(l => l.StartsWith("sark: ", StringComparison.Ordinal)) ?? "(no error line)";
            if (actual != expected.Text)
            {
                failures.Add($"{expected.Where}: `sark {example.Shown}` printed\n    {actual}\n  the docs show\n    {expected.Text}");
            }

            if (example.DocumentedExitCode is { } code && code != result.ExitCode)
            {
                failures.Add($"{example.Line.Where}: `sark {example.Shown}` exited {result.ExitCode}, the docs show {code}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} documented error example(s) differ from the real output:\n" + string.Join('\n', failures));
    }
}
