using Npgsql;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.Data.Tests.Errors;

/// <summary>A limit of the server itself (SQLSTATE class 54), provoked for real, is LimitExceeded.</summary>
public sealed class LimitExceededTests
{
    [Fact]
    public async Task A_table_with_more_columns_than_postgresql_allows_is_limit_exceeded()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var columns = string.Join(", ", Enumerable.Range(1, 1601).Select(n => $"c{n} int"));

        var error = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync($"CREATE TABLE too_wide ({columns})"));
        var translated = PostgresErrors.Translate(error);

        Assert.Equal(PostgresErrorCodes.TooManyColumns, error.SqlState);
        Assert.Equal(SarkErrorKind.LimitExceeded, translated.Kind);
        Assert.StartsWith("tables can have at most 1600 columns (SQLSTATE 54011", translated.Message);
    }
}
