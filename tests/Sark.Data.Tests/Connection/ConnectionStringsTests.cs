using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Tests.Connection;

public sealed class ConnectionStringsTests
{
    [Fact]
    public void A_url_with_every_part_becomes_an_npgsql_connection()
    {
        var builder = ConnectionStrings.Parse("postgresql://alice:p%40ss%3Aword@db.example:6432/sark_prod?sslmode=require&application_name=deploy");
        Assert.Equal("alice", builder.Username);
        Assert.Equal("p@ss:word", builder.Password);
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6432, builder.Port);
        Assert.Equal("sark_prod", builder.Database);
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal("deploy", builder.ApplicationName);
    }

    [Fact]
    public void Urls_accept_the_postgres_scheme_ipv6_and_several_hosts()
    {
        var ipv6 = ConnectionStrings.Parse("postgres://u@[::1]:5433/d");
        Assert.Equal("::1", ipv6.Host);
        Assert.Equal(5433, ipv6.Port);
        Assert.Equal("h1:5432,h2:5433", ConnectionStrings.Parse("postgresql://u@h1:5432,h2:5433/d").Host);
    }

    [Fact]
    public void Keyword_strings_are_accepted()
    {
        var builder = ConnectionStrings.Parse("Host=localhost;Port=5544;Database=sark;Username=bob;Password=pw");
        Assert.Equal(5544, builder.Port);
        Assert.Equal("bob", builder.Username);
    }

    [Theory]
    [InlineData("postgresql://u:TopSecret9@h:notaport/d", "port part")]
    [InlineData("postgresql://u:TopSecret9@h/d?bogus=1", "bogus")]
    [InlineData("postgresql://u:TopSecret9@h/d?sslmode=maybe", "sslmode")]
    [InlineData("Host=h;Port=many;Password=TopSecret9", "bad value for 'port'")]
    [InlineData("Host=h;Password=TopSecret9;Frobnicate=1", "unknown keyword after its password")]
    [InlineData("Host=h;Frobnicate=1;Password=TopSecret9", "frobnicate")]
    [InlineData("Database=d;Password=TopSecret9", "no host")]
    public void Bad_connection_strings_are_one_line_usage_errors_without_the_password(string value, string named)
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse(value));
        Assert.Contains(named, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("TopSecret9", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(SarkErrorKind.Usage, error.Kind);
    }

    [Theory]
    [InlineData("postgresql://u:TopSecret9@h:5432/d", "postgresql://u:***@h:5432/d")]
    [InlineData("Host=h;Password=TopSecret9;Database=d", "Host=h;Password=***;Database=d")]
    [InlineData("host=h password='Top Secret9' dbname=d", "host=h password=*** dbname=d")]
    public void Masking_hides_passwords_in_both_forms(string value, string expected) =>
        Assert.Equal(expected, ConnectionStrings.Mask(value));

    [Fact]
    public void A_keyword_string_error_names_the_keyword_and_never_repeats_the_string()
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse("Hots=x;Password=TopSecret9"));
        Assert.Contains("unknown keyword 'hots'", error.Message);
        Assert.DoesNotContain("Password", error.Message);
    }

    [Fact]
    public void Registered_secrets_are_redacted_anywhere_in_a_message()
    {
        SecretMasker.Register("Hunter2-registered");
        var text = SecretMasker.Redact("server said: password Hunter2-registered is wrong; url-encoded Hunter2-registered too");
        Assert.DoesNotContain("Hunter2-registered", text);
        Assert.Contains("***", text);
    }

    [Fact]
    public void Describe_never_shows_the_password()
    {
        var builder = ConnectionStrings.Parse("postgresql://alice:TopSecret9@db:5433/x");
        Assert.Equal("postgresql://alice:***@db:5433/x", ConnectionStrings.Describe(builder));
    }

    [Fact]
    public void Describe_shows_a_socket_directory_as_the_host_parameter_and_the_result_parses_back()
    {
        var builder = ConnectionStrings.Parse("postgresql://sark@:5432/sark?host=%2Fhome%2Fa%20b%2Frun");
        var described = ConnectionStrings.Describe(builder);
        Assert.Equal("postgresql://sark@:5432/sark?host=%2Fhome%2Fa%20b%2Frun", described);
        var again = ConnectionStrings.Parse(described);
        Assert.Equal("/home/a b/run", again.Host);
        Assert.Equal(5432, again.Port);
    }
}
