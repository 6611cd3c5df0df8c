using Sark.Data.Connection;

namespace Sark.Cli.Tests;

/// <summary>
/// No password reaches stdout or stderr, whichever keyword names it and whatever character it
/// holds, with and without --verbose (whose stack traces print inner exceptions too).
/// </summary>
public sealed class SecretOutputTests
{
    private const string Left = "Left7sw";
    private const string Right = "Right9fish";

    public static TheoryData<string, bool> KeywordsWithAndWithoutVerbose()
    {
        var data = new TheoryData<string, bool>();
        foreach (var keyword in SecretKeywords.All)
        {
            data.Add(keyword, false);
            data.Add(keyword, true);
        }

        return data;
    }

    public static TheoryData<char, bool> ReservedCharactersWithAndWithoutVerbose()
    {
        var data = new TheoryData<char, bool>();
        foreach (var reserved in "/?#@:")
        {
            data.Add(reserved, false);
            data.Add(reserved, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KeywordsWithAndWithoutVerbose))]
    public async Task A_password_under_any_npgsql_keyword_is_never_printed(string keyword, bool verbose)
    {
        var (left, right) = NewPassword();
        var unreachable = await Sark(verbose, "db", "status", "--database", $"Host=127.0.0.1;Port=1;Username=admin;{keyword}={left} {right};Database=sark");
        Assert.Equal(ExitCodes.CannotConnect, unreachable.ExitCode);
        AssertHidden(unreachable, left, right);

        (left, right) = NewPassword();
        var malformed = await Sark(verbose, "db", "status", "--database", $"Host=127.0.0.1;{keyword}={left} {right};Colour=blue");
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
        Assert.Contains("unknown keyword after its password", malformed.Error);
        Assert.DoesNotContain("colour", malformed.Error, StringComparison.OrdinalIgnoreCase);
        AssertHidden(malformed, left, right);

        (left, right) = NewPassword();
        var badValue = await Sark(verbose, "db", "status", "--database", $"Host=127.0.0.1;{keyword}={left} {right};Port=many");
        Assert.Equal(ExitCodes.Usage, badValue.ExitCode);
        AssertHidden(badValue, left, right);

        // A connection string typed where no argument belongs is echoed by the parser's own message.
        (left, right) = NewPassword();
        var stray = await Sark(verbose, "db", "status", $"Host=127.0.0.1;{keyword}={left}{right}");
        Assert.Equal(ExitCodes.Usage, stray.ExitCode);
        AssertHidden(stray, left, right);
    }

    [Theory]
    [MemberData(nameof(ReservedCharactersWithAndWithoutVerbose))]
    public async Task A_url_password_with_a_reserved_character_is_never_printed(char reserved, bool verbose)
    {
        foreach (var digitsFirst in new[] { false, true })
        {
            // "6543/…" would otherwise read as a port, the rest as the database name.
            var (left, right) = NewPassword();
            left = digitsFirst ? "6543" : left;
            var result = await Sark(verbose, "db", "status", "--database", $"postgresql://admin:{left}{reserved}{right}@127.0.0.1:1/sark");
            Assert.Contains(result.ExitCode, new[] { ExitCodes.Usage, ExitCodes.CannotConnect });
            AssertHidden(result, left, right);
        }
    }

    public static TheoryData<string, bool> SlipsWithAndWithoutVerbose()
    {
        // Each holds a piece of a password where a host, port or keyword belongs; LEFT and RIGHT
        // stand for the two halves.
        var data = new TheoryData<string, bool>();
        foreach (var slip in new[]
        {
            "Host=no.such LEFT:RIGHT;Database=app;Username=u",
            "Host=no.such pass:RIGHT;Database=app;Username=u",
            "Host=127.0.0.1:RIGHT;Database=app;Username=u",
            "Host=127.0.0.1,127.0.0.2:RIGHT;Database=app",
            "postgresql://u@/app?host=127.0.0.1:RIGHT",
            "Host=h;Password=LEFT;RIGHT=x",
            "Host=h;PWD=LEFT;RIGHT=x;Database=app",
            "postgresql://u@h/app?password=LEFT&RIGHT=x",
            "Host=127.0.0.1;Password=LEFT;Passfile=/nonexistent/RIGHT",
        })
        {
            data.Add(slip, false);
            data.Add(slip, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SlipsWithAndWithoutVerbose))]
    public async Task A_piece_of_a_password_in_a_host_port_or_keyword_is_a_usage_error_that_never_prints_it(string slip, bool verbose)
    {
        var (left, right) = NewPassword();
        var value = slip.Replace("LEFT", left, StringComparison.Ordinal).Replace("RIGHT", right, StringComparison.Ordinal);

        var result = await Sark(verbose, "db", "status", "--database", value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("sark: --database: connection ", Assert.Single(result.ErrorLines));
        AssertHidden(result, left, right);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_string_given_as_an_argument_is_not_repeated(bool verbose)
    {
        // Quoted by the shell, a URL whose password holds a blank is one argument; the masking
        // patterns cannot tell where such a password ends, so the argument is not echoed at all.
        foreach (var stray in new[] { "postgresql://u:LEFT RIGHT@host/app", "Host=h;Psw =LEFT RIGHT", "postgresql://u:LEFT@host/app?x=RIGHT" })
        {
            var (left, right) = NewPassword();
            var result = await Sark(verbose, "db", "status", stray.Replace("LEFT", left, StringComparison.Ordinal).Replace("RIGHT", right, StringComparison.Ordinal));

            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Equal(
                "sark: an argument looks like a connection string (not repeated here: it may hold a password); give it with --database, or set SARK_DATABASE_URL (see 'sark --help')",
                Assert.Single(result.ErrorLines));
            AssertHidden(result, left, right);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_bad_sark_database_url_is_reported_without_its_password(bool verbose)
    {
        // Through the environment the connection string is parsed inside the command, so with
        // --verbose the whole exception chain is printed.
        string[] args = verbose ? ["db", "status", "-v"] : ["db", "status"];
        // The third: a password with an unquoted ';', whose second half reads as a bad Port value.
        foreach (var url in new[]
        {
            $"Host=127.0.0.1;PSW={Left}{Right};Colour=blue",
            $"postgresql://admin:{Left}/{Right}@127.0.0.1:1/sark",
            $"Host=127.0.0.1;Password={Left};Port={Right}",

            // Parsed inside the command, a bad host or Passfile was an "unexpected error" quoting it.
            $"Host=no.such pass:{Right};Database=app;Username={Left}",
            $"postgresql://u@/app?host=127.0.0.1:{Right}&password={Left}",
            $"Host=127.0.0.1;Password={Left};Passfile=/nonexistent/{Right}",
            $"Host=127.0.0.1;Password={Left};{Right}=x",
        })
        {
            var result = await CliRunner.RunProcessAsync(new Dictionary<string, string?> { ["SARK_DATABASE_URL"] = url }, args);
            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.StartsWith("sark: SARK_DATABASE_URL: ", result.Error);
            Assert.Equal(verbose, result.Error.Contains("   at ", StringComparison.Ordinal));
            AssertHidden(result, Left, Right);
        }
    }

    private static Task<CliResult> Sark(bool verbose, params string[] args) =>
        CliRunner.RunAsync(verbose ? [.. args, "--verbose"] : args);

    // Fresh halves for each run: a password registered by an earlier run would be masked by that
    // registration and hide a message that prints it. Two halves, so printing a piece (before or
    // after the character that broke the parse) is caught as well as printing all of it.
    private static (string Left, string Right) NewPassword()
    {
        var id = Guid.NewGuid().ToString("N");
        return ($"Lf{id[..8]}", $"Rt{id[8..16]}");
    }

    private static void AssertHidden(CliResult result, params string[] pieces)
    {
        foreach (var piece in pieces)
        {
            // Ignoring case: keyword names come back lower-cased ("Rt1a2b=x" as 'rt1a2b').
            Assert.DoesNotContain(piece, result.Out, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(piece, result.Error, StringComparison.OrdinalIgnoreCase);
        }
    }
}
