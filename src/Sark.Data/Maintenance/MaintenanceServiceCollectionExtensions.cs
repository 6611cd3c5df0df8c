using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Maintenance;
using Sark.Data.Rollups;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Wires SPEC §6's maintenance into a host that called <c>AddSark</c>: <see cref="MaintenanceJob"/>
/// with the standard steps, and <see cref="MaintenanceService"/>, a <see cref="BackgroundService"/>
/// running it every <see cref="MaintenanceOptions.Interval"/>. Options are checked when the host starts.
/// </summary>
public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>Registers maintenance with options set in code (defaults when <paramref name="configure"/> is null).</summary>
    public static IServiceCollection AddSarkMaintenance(this IServiceCollection services, Action<MaintenanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MaintenanceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddMaintenanceServices(services);
    }

    /// <summary>
    /// Registers maintenance with options bound from the <c>Sark:Maintenance</c> section of
    /// <paramref name="configuration"/>; an unknown key stops the host instead of being ignored.
    /// </summary>
    public static IServiceCollection AddSarkMaintenance(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MaintenanceOptions>()
            .Bind(configuration.GetSection(MaintenanceOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        return AddMaintenanceServices(services);
    }

    private static IServiceCollection AddMaintenanceServices(IServiceCollection services)
    {
        services.AddOptions<MaintenanceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>());
        services.TryAddSingleton(provider => new MaintenanceJob(
            provider.GetRequiredService<NpgsqlDataSource>(),
            provider.GetRequiredService<IOptions<MaintenanceOptions>>().Value,
            MaintenanceSteps.Standard(provider.GetRequiredService<FederationRegistry>(), provider.GetRequiredService<CostLedger>(), provider.GetRequiredService<CostRollups>()),
            provider.GetService<ILogger<MaintenanceJob>>(),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new MaintenanceService(
            provider.GetRequiredService<MaintenanceJob>(), provider.GetService<ILogger<MaintenanceService>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaintenanceService>(
            provider => provider.GetRequiredService<MaintenanceService>()));
        return services;
    }
}

/// <summary>Fails the host's start with one line per bad maintenance option, named by its configuration key.</summary>
internal sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, MaintenanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Check();
        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(f => MaintenanceOptions.SectionName + ":" + f));
    }
}
