using Npgsql;
using Sark.Data.Audit;
using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Registry;

namespace Sark.Cli.Bench;

/// <summary>The library's stores on the benchmark's data source, as a component hosting AddSark has them.</summary>
internal sealed record BenchStores(ResourceStore Registry, FederationRegistry Federation, AuditLog Audit, CostLedger Costs)
{
    public static BenchStores On(NpgsqlDataSource dataSource) =>
        new(new ResourceStore(dataSource), new FederationRegistry(dataSource), new AuditLog(dataSource), new CostLedger(dataSource));
}
