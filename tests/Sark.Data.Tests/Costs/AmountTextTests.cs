using Sark.Data.Costs;
using Sark.Data.Errors;
using Sark.Testing;
using static Sark.Data.Tests.Costs.CostTestData;

namespace Sark.Data.Tests.Costs;

/// <summary>
/// Amounts in the budget functions' messages read as the library and the CLI print amounts
/// (CostInput.Format): at least 2 decimals, none beyond what the amount has.
/// </summary>
public sealed class AmountTextTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private CostLedger Ledger => new(fixture.Database.DataSource);

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("1.25")]
    [InlineData("0.000125")]
    [InlineData("12.340000")]
    [InlineData("999999999999.999999")]
    public async Task The_database_writes_an_amount_as_the_library_does(string amount)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        var text = await fixture.Database.ScalarAsync<string>($"SELECT sark_amount_text({amount}::numeric(18,6))");

        Assert.Equal(CostInput.Format(value), text);
    }

    [Fact]
    public async Task A_refused_currency_change_states_the_amount_as_the_CLI_prints_it()
    {
        await Ledger.ChargeAsync(Charge("fixed-decimals", 1.2m));

        var error = await Assert.ThrowsAsync<SarkException>(() => Ledger.SetBudgetAsync("fixed-decimals", new BudgetChange { Currency = "EUR" }));

        Assert.Equal(
            "the budget of principal 'fixed-decimals' has 1.20 USD spent or held this month; its currency cannot change to EUR until the month is over",
            error.Message);
    }
}
