using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Tests.Connection;

/// <summary>
/// What Npgsql would only find out when connecting (a port inside Host, a missing Passfile) is
/// refused while parsing, and text that may be a piece of a password is never repeated.
/// </summary>
public sealed class ConnectionCheckTests
{
    // Stands for a piece of a password that a slip put where a host, port or keyword belongs.
    private const string Piece = "Zq9pass";

    [Theory]
    [InlineData("Host=127.0.0.1:" + Piece + ";Database=app;Username=u", "connection string's Host: the port of the host")]
    [InlineData("postgresql://u@/app?host=127.0.0.1:" + Piece, "connection URL's host part or ?host=: the port of the host")]
    [InlineData("postgresql://u@h/app?host=h1,h2:" + Piece, "the port of the 2nd host")]
    [InlineData("Host=h1:5432,h2:" + Piece, "the port of the 2nd host")]
    [InlineData("Host=h:70000", "not a number from 1 to 65535")]
    [InlineData("Host=[::1]:" + Piece, "the port of the host")]
    [InlineData("Host=no.such pass:" + Piece + ";Database=app", "the host holds a blank")]
    [InlineData("Host=no.such " + Piece, "the host holds a blank")]
    [InlineData("Host=h1,,h3", "the 2nd host is empty")]
    [InlineData("Host=:5432", "the host is empty")]
    public void A_bad_host_is_refused_while_parsing_without_repeating_it(string value, string named)
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse(value));

        Assert.Contains(named, error.Message);
        Assert.DoesNotContain(Piece, error.ToString());
        Assert.DoesNotContain("70000", error.Message);
    }

    [Theory]
    [InlineData("Host=::1", "::1")]
    [InlineData("Host=[::1]:5433", "[::1]:5433")]
    [InlineData("Host=h1:5432,h2", "h1:5432,h2")]
    [InlineData("Host=/home/Ann Lee/run", "/home/Ann Lee/run")]
    [InlineData("postgresql://u@[::1]:5433,h2/d", "[::1]:5433,h2")]
    public void Hosts_npgsql_takes_are_accepted(string value, string host) =>
        Assert.Equal(host, ConnectionStrings.Parse(value).Host);

    [Fact]
    public void Describe_never_shows_a_host_that_did_not_pass_the_check()
    {
        // Only a builder made without Parse can hold one; its Host is then not printed at all.
        var builder = new NpgsqlConnectionStringBuilder { Host = $"no.such pass:{Piece}", Username = "u", Database = "app" };

        Assert.Equal("postgresql://u@(an invalid host)/app", ConnectionStrings.Describe(builder));
    }

    [Fact]
    public void A_passfile_that_does_not_exist_is_named_by_its_keyword_not_its_path()
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse($"Host=h;Passfile=/nonexistent/{Piece}"));
        Assert.StartsWith("connection string's Passfile names a file that does not exist", error.Message);
        Assert.DoesNotContain(Piece, error.ToString());

        var passfile = Path.GetTempFileName();
        try
        {
            Assert.Equal(passfile, ConnectionStrings.Parse($"Host=h;Passfile={passfile}").Passfile);
        }
        finally
        {
            File.Delete(passfile);
        }
    }

    [Theory]
    [InlineData("Host=h;Password=Kq7Zw;" + Piece + "word=x", "unknown keyword after its password")]
    [InlineData("Host=h;PSW=Kq7Zw;" + Piece + "word=x;Database=d", "unknown keyword after its password")]
    [InlineData("postgresql://u@h/app?password=Kq7Zw&" + Piece + "word=x", "unknown parameter after the password")]
    public void An_unknown_keyword_after_a_password_is_not_repeated(string value, string named)
    {
        // "Password=Kq7Zw;Zq9password=x" is the password "Kq7Zw;Zq9password=x" with an unquoted ';'.
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse(value));

        Assert.Contains(named, error.Message);
        Assert.DoesNotContain(Piece, error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Kq7Zw", error.ToString());
    }

    [Theory]
    [InlineData("Host=h;Colour=blue;Password=Kq7Zw", "unknown keyword 'colour'")]
    [InlineData("postgresql://u@h/app?colour=blue&password=Kq7Zw", "unknown parameter 'colour'")]
    public void An_unknown_keyword_before_any_password_is_still_named(string value, string named) =>
        Assert.Contains(named, Assert.Throws<UsageException>(() => ConnectionStrings.Parse(value)).Message);
}
