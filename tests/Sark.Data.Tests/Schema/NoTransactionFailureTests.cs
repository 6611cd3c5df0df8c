using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>A migration outside a transaction that fails says exactly which of its statements stayed applied.</summary>
public sealed class NoTransactionFailureTests : EmptyDatabaseTest, IDisposable
{
    private readonly MigrationFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(0, "so nothing of it took effect")]
    [InlineData(1, "so statement 1 stayed applied")]
    [InlineData(2, "so statements 1–2 stayed applied")]
    public async Task The_failure_names_the_statements_that_stayed_applied(int before, string kept)
    {
        var statements = Enumerable.Range(1, before).Select(n => $"CREATE TABLE kept_{n} (id int);").Append("SELECT no_such_column FROM pg_class;");
        folder.Add(1, "outside", $"-- sark:no-transaction\n{string.Join('\n', statements)}", "SELECT 1;");

        var error = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(Database.DataSource, folder.Load()).MigrateAsync());

        Assert.StartsWith($"001_outside.up.sql failed at statement {before + 1} of {before + 1}: column \"no_such_column\" does not exist", error.Message);
        Assert.EndsWith($"; it runs outside a transaction, {kept} and the journal was not updated", error.Message);
        Assert.Equal(SarkErrorKind.SchemaDrift, error.Kind);
        Assert.Equal(before, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'kept\\_%'"));
    }
}
