using Sark.Data.Errors;

namespace Sark.Cli.Tests;

/// <summary>The CLI's choice of database: --database, SARK_DATABASE_URL, or the embedded server.</summary>
public sealed class DatabaseSelectionTests
{
    [Fact]
    public void Database_option_wins_over_the_environment_and_neither_means_embedded()
    {
        Assert.Equal("--database", DatabaseSelection.Choose("postgresql://a@h1/d", "postgresql://b@h2/d")!.Source);
        Assert.Equal("h1", DatabaseSelection.Choose("postgresql://a@h1/d", "postgresql://b@h2/d")!.Builder.Host);
        Assert.Equal("h2", DatabaseSelection.Choose(null, "postgresql://b@h2/d")!.Builder.Host);
        Assert.Null(DatabaseSelection.Choose(null, null));
    }

    [Fact]
    public void A_blank_database_option_is_a_usage_error_not_the_embedded_database()
    {
        Assert.Equal(SarkErrorKind.Usage, Assert.Throws<UsageException>(() => DatabaseSelection.Choose("", null)).Kind);
        Assert.Contains("--database is empty", Assert.Throws<UsageException>(() => DatabaseSelection.Choose(" \t", "postgresql://b@h2/d")).Message);
    }

    [Fact]
    public void An_empty_variable_counts_as_unset_and_a_blank_one_is_a_usage_error()
    {
        Assert.Null(DatabaseSelection.Choose(null, ""));
        var error = Assert.Throws<UsageException>(() => DatabaseSelection.Choose(null, "  "));
        Assert.Contains("SARK_DATABASE_URL holds only blanks", error.Message);
    }

    [Fact]
    public void Errors_in_the_variable_name_it()
    {
        var error = Assert.Throws<UsageException>(() => DatabaseSelection.Choose(null, "Host=h;Colour=blue"));
        Assert.StartsWith("SARK_DATABASE_URL: ", error.Message);
    }
}
