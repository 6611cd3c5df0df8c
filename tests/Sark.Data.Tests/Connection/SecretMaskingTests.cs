using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Tests.Connection;

/// <summary>Every password keyword Npgsql accepts, and every reserved character in a URL password, stays hidden.</summary>
public sealed class SecretMaskingTests
{
    // Two halves, so a message that prints a piece of the password (before or after the character
    // that broke the parse) is caught as well as one that prints all of it.
    private const string Left = "Left7sw";
    private const string Right = "Right9fish";

    public static TheoryData<string> SecretKeywordsOfNpgsql() => [.. SecretKeywords.All];

    public static TheoryData<char> ReservedUrlCharacters() => ['/', '?', '#', '@', ':'];

    [Fact]
    public void The_password_keywords_are_learnt_from_npgsql()
    {
        // A guard that the discovery by reflection still finds Npgsql's synonyms; the masking code
        // itself uses only what was discovered.
        foreach (var expected in new[] { "Password", "PSW", "PWD", "SSL Password" })
        {
            Assert.Contains(expected, SecretKeywords.All, StringComparer.OrdinalIgnoreCase);
        }

        Assert.All(SecretKeywords.All, keyword => Assert.True(SecretKeywords.IsSecret(keyword), keyword));
        Assert.False(SecretKeywords.IsSecret("Passfile"));
        Assert.False(SecretKeywords.IsSecret("Username"));
    }

    [Theory]
    [MemberData(nameof(SecretKeywordsOfNpgsql))]
    public void Each_password_keyword_is_masked_in_text(string keyword)
    {
        foreach (var text in new[]
        {
            $"Host=h;{keyword}={Left} {Right};Database=d",
            $"Host=h; {keyword.ToLowerInvariant()} = '{Left};{Right}' ;Database=d",
            $"Host=h;{keyword.ToUpperInvariant()}=\"{Left}\"\"{Right}\"",
        })
        {
            var masked = ConnectionStrings.Mask(text);
            Assert.DoesNotContain(Left, masked);
            Assert.DoesNotContain(Right, masked);
            Assert.Contains("***", masked);
        }
    }

    [Theory]
    [MemberData(nameof(SecretKeywordsOfNpgsql))]
    public void Each_password_keyword_is_parsed_as_a_secret_and_kept_out_of_errors(string keyword)
    {
        var builder = ConnectionStrings.Parse($"Host=h;{keyword}={Left}{Right}");
        Assert.Contains($"{Left}{Right}", SecretKeywords.ValuesOf(builder));
        Assert.DoesNotContain(Left, ConnectionStrings.Describe(builder));

        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse($"Host=h;{keyword}={Left}{Right};Colour=blue"));
        Assert.Contains("unknown keyword after its password", error.Message);
        Assert.DoesNotContain("colour", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Left, error.ToString());
    }

    [Theory]
    [MemberData(nameof(ReservedUrlCharacters))]
    public void A_reserved_character_in_a_url_password_is_never_printed(char reserved)
    {
        foreach (var password in new[] { $"{Left}{reserved}{Right}", $"5432{reserved}{Right}" })
        {
            var url = $"postgresql://admin:{password}@db.example:6432/sark";
            var masked = ConnectionStrings.Mask(url);
            Assert.Equal("postgresql://admin:***@db.example:6432/sark", masked);
            try
            {
                // Parsed: then exactly as written, and only the host, port and database show.
                var builder = ConnectionStrings.Parse(url);
                Assert.Equal(password, builder.Password);
                Assert.Equal("postgresql://admin:***@db.example:6432/sark", ConnectionStrings.Describe(builder));
            }
            catch (UsageException error)
            {
                Assert.DoesNotContain(Left, error.ToString());
                Assert.DoesNotContain(Right, error.ToString());
                Assert.Contains("percent-encode", error.Message);
            }
        }
    }

    [Theory]
    [InlineData('/')]
    [InlineData('?')]
    public void A_url_cut_by_an_unencoded_slash_or_question_mark_is_refused(char reserved)
    {
        // Cut at the first '/' or '?', "5432" would be the port and the rest the database name.
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse($"postgresql://admin:5432{reserved}{Right}@127.0.0.1/sark"));
        Assert.DoesNotContain(Right, error.Message);

        var encoded = ConnectionStrings.Parse($"postgresql://admin:5432{Uri.EscapeDataString(reserved.ToString())}{Right}@127.0.0.1/sark");
        Assert.Equal($"5432{reserved}{Right}", encoded.Password);
    }

    [Fact]
    public void A_quoted_url_whose_password_holds_a_blank_is_masked_to_its_last_at()
    {
        // The argument parser quotes what it did not take; a blank does not end the password there.
        var message = $"Unrecognized command or argument 'postgresql://u:{Left} {Right}@host/app'.";

        Assert.Equal("Unrecognized command or argument 'postgresql://u:***@host/app'.", SecretMasker.Redact(message));
        Assert.Equal("argument 'postgresql://my user:***@host/app'.", SecretMasker.Redact($"argument 'postgresql://my user:{Left} {Right}@host/app'."));
    }

    [Fact]
    public void A_quoted_keyword_password_is_masked_and_the_quotation_closed()
    {
        Assert.Equal("argument 'Host=x;Psw =***'.", SecretMasker.Redact($"argument 'Host=x;Psw ={Left} {Right}'."));

        // A quote inside the password: what follows it is a letter, so the rest stays masked.
        var unclosed = SecretMasker.Redact($"argument 'Host=x;Psw={Left}'{Right}");
        Assert.DoesNotContain(Right, unclosed);
        Assert.Equal("argument 'Host=x;Psw=***", unclosed);

        // Not quoted by the message: masked to the end of the line, as before.
        Assert.Equal("Host=x;Psw=***", SecretMasker.Redact($"Host=x;Psw={Left}'."));
    }

    [Fact]
    public void A_query_name_that_is_not_a_word_is_not_repeated()
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse($"postgresql://admin@h/d?{Left}%40{Right}=1"));
        Assert.Contains("unknown parameter", error.Message);
        Assert.DoesNotContain(Left, error.Message);
    }
}
