using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sark.Cli.Output;
using Sark.Data.Errors;

namespace Sark.Cli.Bench;

/// <summary>
/// The options of <c>sark bench</c>, each checked while the command line is parsed (a bad value
/// must not cost a data generation first), and the two modes' defaults.
/// </summary>
internal static class BenchOptions
{
    public const int FullScale = 10_000;
    public const int QuickScale = 1_000;
    public const int FullSeconds = 10;
    public const int QuickSeconds = 2;
    public const int MaximumScale = 1_000_000;
    public const int MaximumConcurrency = 256;

    public static readonly Option<bool> Quick = new("--quick") { Description = $"Quick run: {QuickScale:N0} resources and {QuickSeconds} s per operation (under a minute)" };
    public static readonly Option<bool> Full = new("--full") { Description = $"Full run (the default): {FullScale:N0} resources and {FullSeconds} s per operation" };
    public static readonly Option<bool> Cleanup = new("--cleanup") { Description = "Remove the benchmark's data (and only it), then exit" };

    public static readonly Option<string[]> Only = CheckedNames(new Option<string[]>("--only")
    {
        Description = $"Measure only these operations: {BenchOperations.Names}",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    });

    public static readonly Option<int?> Scale = new Option<int?>("--scale")
    {
        Description = "Resources to generate (x10 capabilities, x100 cost rows, /100 federation nodes)",
        HelpName = "N",
    }.WithParser(text => ParseWhole(text, "--scale", 10, MaximumScale));

    public static readonly Option<int> Concurrency = new Option<int>("--concurrency")
    {
        Description = "Clients running each read operation at once",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
    }.InRange(1, MaximumConcurrency);

    // The writes' clients: one by default, the latency of a single writer; more measure how the
    // database takes several writers at once (gateways, collectors), bulk appends above all.
    public static readonly Option<int> Writers = new Option<int>("--writers")
    {
        Description = "Clients running each write operation at once (cost-charge-concurrent always runs 32)",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
    }.InRange(1, MaximumConcurrency);

    public static readonly Option<int?> Duration = new Option<int?>("--duration")
    {
        Description = "How long each operation is measured, in whole seconds (pgbench runs as long)",
        HelpName = "TIME",
    }.WithParser(ParseSeconds);

    public static readonly Option<IReadOnlyDictionary<string, double>?> Targets = new Option<IReadOnlyDictionary<string, double>?>("--targets")
    {
        Description = "JSON file of targets by operation, replacing the defaults: {\"resource-by-id\": 2} (milliseconds for a latency target, per second for a throughput target)",
        HelpName = "FILE",
    }.WithParser(ReadTargets);

    private static Option<T> WithParser<T>(this Option<T> option, Func<string, T> parse) => option.CheckedBy(parse);

    // Every token of --only (it takes several, also comma-separated), not just the last as CheckedBy reads.
    private static Option<string[]> CheckedNames(Option<string[]> option)
    {
        option.CustomParser = result =>
        {
            var names = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries)).ToArray();
            if (names.FirstOrDefault(n => !BenchOperations.All.Any(o => o.Name == n)) is { } unknown)
            {
                result.AddError(Output.CliWording.Render(new UsageException(
                    unknown.Length == 0 ? $"--only has an empty name; expected one of {BenchOperations.Names}"
                    : $"--only '{unknown}' is not an operation; expected one of {BenchOperations.Names}").Text));
            }

            return names;
        };
        return option;
    }

    /// <summary>The operations <c>--only</c> names, in the benchmark's order; every name checked.</summary>
    public static IReadOnlyList<BenchOperation> Operations(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return BenchOperations.All;
        }

        var wanted = names.ToHashSet(StringComparer.Ordinal);
        return BenchOperations.All.Where(o => wanted.Contains(o.Name)).ToList();
    }

    // Opened without waiting (a named pipe nobody writes to would otherwise block the command
    // line's parse for ever) and read up to a limit (a device such as /dev/zero never ends).
    private static string ReadSmallFile(string path)
    {
        const int Limit = 1 << 20;
        using var handle = NonBlockingOpen.TryOpenForRead(Path.GetFullPath(path), out var errno)
            ?? throw new UsageException($"--targets '{path}' cannot be read ({NonBlockingOpen.Describe(errno)}); expected a readable JSON file of targets");
        NonBlockingOpen.MakeBlocking(handle);
        using var stream = new FileStream(handle, FileAccess.Read);
        var buffer = new byte[Limit + 1];
        var length = 0;
        int read;
        while (length <= Limit && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return length > Limit
            ? throw new UsageException($"--targets '{path}' is larger than 1 MB; expected a small JSON file of targets")
            : new System.Text.UTF8Encoding(false).GetString(buffer, 0, length).TrimStart('\uFEFF');
    }

    private static int? ParseWhole(string text, string name, int minimum, int maximum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum
            ? value
            : throw new UsageException($"{name} '{text}' is not valid; expected a whole number from {minimum:N0} to {maximum:N0}");

    private static int? ParseSeconds(string text)
    {
        var invalid = new UsageException($"--duration '{text}' is not valid; expected whole seconds from 1s to 1h (pgbench measures in whole seconds), for example 5s");
        TimeSpan duration;
        try
        {
            duration = DurationParser.Parse(text, "--duration");
        }
        catch (UsageException)
        {
            throw invalid;
        }

        return duration.Ticks % TimeSpan.TicksPerSecond == 0 && duration >= TimeSpan.FromSeconds(1) && duration <= TimeSpan.FromHours(1)
            ? (int)duration.TotalSeconds
            : throw invalid;
    }

    private static IReadOnlyDictionary<string, double> ReadTargets(string path)
    {
        CheckedOptions.NotBlank(path, "--targets", "a JSON file of targets");
        CheckedOptions.NotAnOption(path, "--targets", "a JSON file of targets");
        string text;
        if (Directory.Exists(path))
        {
            throw new UsageException($"--targets '{path}' is a folder; expected a JSON file of targets");
        }

        try
        {
            text = ReadSmallFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message,
            };
            throw new UsageException($"--targets '{path}' cannot be read ({why}); expected a readable JSON file of targets");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new UsageException($"--targets '{path}' is not JSON; expected an object of targets by operation, for example {{\"resource-by-id\": 2}}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"--targets '{path}' is not a JSON object; expected targets by operation, for example {{\"resource-by-id\": 2}}");
            }

            var targets = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (targets.ContainsKey(property.Name))
                {
                    throw new UsageException($"--targets '{path}' names {property.Name} twice; give each operation one target");
                }

                if (!BenchOperations.All.Any(o => o.Name == property.Name))
                {
                    throw new UsageException($"--targets '{path}' names an unknown operation '{property.Name}'; expected one of {BenchOperations.Names}");
                }

                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value) || !(value > 0) || double.IsInfinity(value))
                {
                    var unit = BenchOperations.All.First(o => o.Name == property.Name).Target.Unit;
                    throw new UsageException($"--targets '{path}': the target of {property.Name} is {property.Value.GetRawText()}; expected a number of {unit} above 0");
                }

                targets[property.Name] = value;
            }

            return targets;
        }
    }
}
