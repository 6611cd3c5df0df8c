using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sark.Data.Maintenance;
using Sark.Data.Tests.Hosting;

namespace Sark.Data.Tests.Maintenance;

/// <summary>AddSarkMaintenance in a plain host: the background service runs the job at start, options are checked at start.</summary>
public sealed class MaintenanceHostingTests : MaintenanceTestDatabase
{
    [Fact]
    public async Task The_background_service_runs_the_job_when_the_host_starts()
    {
        await using var provider = AddSarkTests.Start(new ServiceCollection()
            .AddSark(o => o.ConnectionString = Database.ConnectionString)
            .AddSarkMaintenance(o => o.MonthsAhead = 5));
        var service = Assert.IsType<MaintenanceService>(Assert.Single(provider.GetServices<IHostedService>()));

        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (service.LastReport is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first run did not finish within 30 s");
            await Task.Delay(50);
        }

        await service.StopAsync(CancellationToken.None);

        Assert.False(service.LastReport.HasFailures);
        Assert.True(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(5))));
        Assert.Equal(5, provider.GetRequiredService<MaintenanceJob>().Options.MonthsAhead);
        Assert.Equal(["partitions", "retention", "request-counters", "reservations", "rollups"], provider.GetRequiredService<MaintenanceJob>().Steps.Select(s => s.Name));
    }

    [Fact]
    public void Bad_options_stop_the_host_at_start_naming_the_configuration_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sark:Maintenance:MonthsAhead"] = "500",
            ["Sark:Maintenance:LockTimeout"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection()
            .AddSark(o => o.ConnectionString = Database.ConnectionString)
            .AddSarkMaintenance(configuration);

        var error = Assert.Throws<OptionsValidationException>(() => AddSarkTests.Start(services));

        Assert.Equal(
            ["Sark:Maintenance:MonthsAhead is 500; expected a number of months from 0 to 120, such as 3",
             "Sark:Maintenance:LockTimeout is 00:00:00; expected whole milliseconds above 0 and up to 00:10:00, such as 00:00:05"],
            error.Failures);
    }

    [Fact]
    public void A_misspelt_maintenance_key_stops_the_host()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sark:Maintenance:MonthAhead"] = "5",
        }).Build();
        var services = new ServiceCollection()
            .AddSark(o => o.ConnectionString = Database.ConnectionString)
            .AddSarkMaintenance(configuration);

        Assert.ThrowsAny<InvalidOperationException>(() => AddSarkTests.Start(services).GetRequiredService<MaintenanceJob>());
    }
}
