using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data;
using Sark.Data.Audit;
using Sark.Data.Connection;
using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Hosting;
using Sark.Data.Registry;
using Sark.Data.Rollups;
using Sark.Data.Schema;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one way Sark.Data is wired into a host (the sark CLI uses it too): one
/// <see cref="NpgsqlDataSource"/> built from <see cref="SarkOptions"/> with the host's logging,
/// the product's migrations, <see cref="MigrationRunner"/>, <see cref="SchemaVerifier"/>,
/// <see cref="SarkHealthCheck"/> and the stores: <see cref="ResourceStore"/>,
/// <see cref="FederationRegistry"/>, <see cref="CostLedger"/>, <see cref="AuditLog"/>, <see cref="CostRollups"/> and <see cref="CostSummaries"/>. Calling it again adds settings, never a second data source.
/// </summary>
public static class SarkServiceCollectionExtensions
{
    /// <summary>Registers Sark.Data with options set in code; checked when the host starts.</summary>
    public static IServiceCollection AddSark(this IServiceCollection services, Action<SarkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SarkOptions>().Configure(configure);
        return AddSarkServices(services);
    }

    /// <summary>
    /// Registers Sark.Data with options bound from the <c>Sark</c> section of
    /// <paramref name="configuration"/> (the host's root configuration). A key the options do not
    /// have (a typo such as <c>Sark:MaxPoolSzie</c>) stops the host instead of being ignored.
    /// </summary>
    public static IServiceCollection AddSark(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SarkOptions>()
            .Bind(configuration.GetSection(SarkOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        return AddSarkServices(services);
    }

    /// <summary>
    /// Adds <see cref="SarkHealthCheck"/> (AddSark must be called too): one connection, at most
    /// <paramref name="timeout"/> (default <see cref="SarkHealthCheck.DefaultTimeout"/>).
    /// </summary>
    public static IHealthChecksBuilder AddSarkHealthCheck(
        this IHealthChecksBuilder builder, string name = "sark", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name, services => services.GetRequiredService<SarkHealthCheck>(), failureStatus, tags, timeout ?? SarkHealthCheck.DefaultTimeout));
    }

    private static IServiceCollection AddSarkServices(IServiceCollection services)
    {
        services.AddOptions<SarkOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SarkOptions>, SarkOptionsValidator>());
        services.TryAddSingleton(_ => MigrationSet.Embedded);
        services.TryAddSingleton(provider => SarkDataSource.Create(
            provider.GetRequiredService<IOptions<SarkOptions>>().Value, provider.GetService<ILoggerFactory>()));

        // Transient: a runner's Progress belongs to whoever resolved it.
        services.TryAddTransient(provider => new MigrationRunner(
            provider.GetRequiredService<NpgsqlDataSource>(),
            provider.GetRequiredService<MigrationSet>(),
            provider.GetRequiredService<IOptions<SarkOptions>>().Value.Migrations,
            provider.GetService<ILogger<MigrationRunner>>()));
        services.TryAddTransient(provider => new SchemaVerifier(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<MigrationSet>(),
            provider.GetService<IKnownDifferencesSource>()));
        services.TryAddSingleton(provider => new SarkHealthCheck(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<MigrationSet>()));

        // The stores (SPEC §5): stateless apart from the data source, so one of each per host.
        services.TryAddSingleton(provider => new ResourceStore(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetService<ILogger<ResourceStore>>()));
        services.TryAddSingleton(provider => new FederationRegistry(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetService<ILogger<FederationRegistry>>(), provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new CostLedger(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetService<ILogger<CostLedger>>()));
        services.TryAddSingleton(provider => new AuditLog(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new CostRollups(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetService<ILogger<CostRollups>>()));
        services.TryAddSingleton(provider => new CostSummaries(provider.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
