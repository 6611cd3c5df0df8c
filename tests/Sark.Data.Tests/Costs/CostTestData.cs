using Sark.Data.Costs;
using Sark.Testing;

namespace Sark.Data.Tests.Costs;

/// <summary>Requests and database reads shared by the cost ledger's tests.</summary>
internal static class CostTestData
{
    public static ChargeRequest Charge(string principal, decimal actual, string? chargeId = null, string currency = "USD") => new()
    {
        ChargeId = chargeId ?? Guid.NewGuid().ToString(),
        Principal = principal,
        Resource = "res-1",
        Capability = "cap-1",
        ActualCost = actual,
        Currency = currency,
    };

    public static ReservationRequest Hold(string principal, decimal estimate, string? id = null, TimeSpan? ttl = null) => new()
    {
        ReservationId = id ?? Guid.NewGuid().ToString(),
        Principal = principal,
        Resource = "res-1",
        Capability = "cap-1",
        Estimate = estimate,
        TimeToLive = ttl ?? TimeSpan.FromMinutes(15),
    };

    public static async Task<long> CostRowsAsync(TestDatabase database, string principal) =>
        await database.ScalarAsync<long>($"SELECT count(*) FROM cost_tracking WHERE principal_id = '{principal}'");

    public static async Task<decimal> CostSumAsync(TestDatabase database, string principal) =>
        await database.ScalarAsync<decimal>($"SELECT coalesce(sum(actual_cost), 0) FROM cost_tracking WHERE principal_id = '{principal}'");

    public static async Task<long> DenialEventsAsync(TestDatabase database, string principal) =>
        await database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE event_type = 'cost_limit_exceeded' AND details ->> 'principal_id' = '{principal}'");
}
