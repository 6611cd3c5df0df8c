using System.CommandLine;
using System.Globalization;
using Sark.Cli.Output;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>
/// The one way option values are checked: each option that takes a value converts it with a
/// function that throws <see cref="UsageException"/>, and System.CommandLine runs that function
/// while it parses the command line. A bad value is therefore a usage error (exit 2), one line
/// naming the value and what is accepted, before any command starts: no server started, no
/// connection opened, no row generated, no file written.
/// </summary>
internal static class CheckedOptions
{
    /// <summary>Converts and checks the option's value with <paramref name="parse"/> at parse time.</summary>
    public static Option<T> CheckedBy<T>(this Option<T> option, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(parse);
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            try
            {
                return parse(text);
            }
            catch (UsageException ex)
            {
                result.AddError(CliWording.Render(ex.Text));
                return default;
            }
        };
        return option;
    }

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static Option<int> InRange(this Option<int> option, int minimum, int maximum)
    {
        ArgumentNullException.ThrowIfNull(option);
        var name = option.Name;
        return option.CheckedBy(text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum
                ? value
                : throw new UsageException($"{name} '{text}' is not valid; expected a whole number from {minimum:N0} to {maximum:N0}"));
    }

    /// <summary>A value that must not be empty or blank (an empty value would quietly mean "the default").</summary>
    public static string NotBlank(string text, string name, string expected) =>
        string.IsNullOrWhiteSpace(text)
            ? throw new UsageException($"{name} is empty; expected {expected}")
            : text;

    /// <summary>
    /// A value that looks like the next option ("--json --quick"): the option swallowed it, and
    /// taking it as a file name would quietly drop the option the user meant.
    /// </summary>
    public static string NotAnOption(string text, string name, string expected) =>
        text.StartsWith("--", StringComparison.Ordinal)
            ? throw new UsageException($"{name} '{text}' looks like an option, not a value; expected {expected} after {name}")
            : text;

    /// <summary>A duration option (see docs/cli.md, Durations), checked at parse time.</summary>
    public static Option<string> Duration(string name, string description, string defaultValue) =>
        new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue }
            .CheckedBy(text => DurationParser.Check(text, name));
}
