using Npgsql;
using Sark.Data.Costs;
using Sark.Data.Errors;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// Bad input to every public method is a usage error with one line, found before a connection is
/// opened: the ledger here points at a server that does not exist, so reaching it would be an
/// Unavailable error instead. Ingested rows are checked while they are copied, inside the
/// transaction (IngestionTests).
/// </summary>
public sealed class CostBadInputTests : IAsyncDisposable
{
    private readonly NpgsqlDataSource nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=1");
    private readonly CostLedger ledger;

    public CostBadInputTests() => ledger = new CostLedger(nowhere);

    private static ChargeRequest Valid => Charge("alice", 1m, "c-1");

    public static TheoryData<string, Func<CostLedger, Task>> BadCalls => new()
    {
        { "charge id is empty", l => l.ChargeAsync(Valid with { ChargeId = " " }) },
        { "charge id is 256 characters long; expected at most 255", l => l.ChargeAsync(Valid with { ChargeId = new string('c', 256) }) },
        { "principal is empty", l => l.ChargeAsync(Valid with { Principal = "" }) },
        { "principal ' alice' has surrounding blanks or control characters", l => l.ChargeAsync(Valid with { Principal = " alice" }) },
        { "principal holds a NUL character", l => l.ChargeAsync(Valid with { Principal = "a\0" }) },
        { "resource is empty", l => l.ChargeAsync(Valid with { Resource = "" }) },
        { "capability 'a?b' has surrounding blanks or control characters", l => l.ChargeAsync(Valid with { Capability = "a\nb" }) },
        { "actual cost -0.01 is negative; expected an amount of 0 or more", l => l.ChargeAsync(Valid with { ActualCost = -0.01m }) },
        { "actual cost 0.0000001 has more than 6 decimals", l => l.ChargeAsync(Valid with { ActualCost = 0.0000001m }) },
        { "estimated cost 1000000000000.00 is too large", l => l.ChargeAsync(Valid with { EstimatedCost = 1_000_000_000_000m }) },
        { "charge 'c-1' has neither an actual nor an estimated cost", l => l.ChargeAsync(Valid with { ActualCost = null }) },
        { "currency 'usd' is not a currency code; expected three capital letters", l => l.ChargeAsync(Valid with { Currency = "usd" }) },
        { "currency 'US' is not a currency code", l => l.ChargeAsync(Valid with { Currency = "US" }) },
        { "metadata is a JSON array; expected a JSON object", l => l.ChargeAsync(Valid with { Metadata = "[1]" }) },
        { "metadata is not valid JSON", l => l.ChargeAsync(Valid with { Metadata = "{oops" }) },
        { "principal is empty", l => l.SetBudgetAsync("", new BudgetChange()) },
        { "daily limit -1.00 is negative", l => l.SetBudgetAsync("a", new BudgetChange { Daily = BudgetLimit.Of(-1m) }) },
        { "monthly limit 1.1234567 has more than 6 decimals", l => l.SetBudgetAsync("a", new BudgetChange { Monthly = BudgetLimit.Of(1.1234567m) }) },
        { "currency 'E1R' is not a currency code", l => l.SetBudgetAsync("a", new BudgetChange { Currency = "E1R" }) },
        { "time zone 'Europe/../etc' is not a time zone name", l => l.SetBudgetAsync("a", new BudgetChange { TimeZone = "Europe/../etc" }) },
        { "time zone '' is not a time zone name", l => l.SetBudgetAsync("a", new BudgetChange { TimeZone = "" }) },
        { "principal is empty", l => l.GetBudgetStatusAsync("\t") },
        { "limit 0 is out of range; expected a page size from 1 to 1000", l => l.ListBudgetsAsync(limit: 0) },
        { "cursor 'x' is not a cursor a page returned", l => l.ListBudgetsAsync(cursor: "x") },
        { "reservation id is empty", l => l.ReserveAsync(Hold("a", 1m, "")) },
        { "estimate -2.00 is negative", l => l.ReserveAsync(Hold("a", -2m)) },
        { "time to live 00:00:00 is out of range; expected a duration above 0 and at most 7 days", l => l.ReserveAsync(Hold("a", 1m, ttl: TimeSpan.Zero)) },
        { "time to live 8.00:00:00 is out of range", l => l.ReserveAsync(Hold("a", 1m, ttl: TimeSpan.FromDays(8))) },
        { "currency 'EURO' is not a currency code", l => l.ReserveAsync(Hold("a", 1m) with { Currency = "EURO" }) },
        { "reservation id is empty", l => l.SettleAsync("", 1m) },
        { "actual cost -1.00 is negative", l => l.SettleAsync("r", -1m) },
        { "metadata is not valid JSON", l => l.SettleAsync("r", 1m, "{") },
        { "reservation id is 256 characters long", l => l.ReleaseAsync(new string('r', 256)) },
        { "ledger retention 12:00:00 is too short; expected at least 1 day", l => l.PruneLedgerAsync(TimeSpan.FromHours(12)) },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_input_is_a_usage_error_before_connecting(string expected, Func<CostLedger, Task> call)
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => call(ledger));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e3")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("")]
    [InlineData("12abc")]
    public void Amount_text_that_is_not_a_plain_decimal_is_refused_naming_it(string text)
    {
        var error = Assert.Throws<UsageException>(() => CostInput.ParseAmount(text, "--actual"));

        Assert.Equal($"--actual '{text}' is not an amount; expected a decimal number such as 0.25", error.Message);
    }

    [Theory]
    [InlineData("0.25", "0.25")]
    [InlineData("12", "12")]
    [InlineData(".5", "0.5")]
    [InlineData("999999999999.999999", "999999999999.999999")]
    public void Plain_decimals_are_read_exactly(string text, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CostInput.ParseAmount(text, "--actual"));
    }

    public async ValueTask DisposeAsync() => await nowhere.DisposeAsync();
}
