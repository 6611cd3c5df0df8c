using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data;
using Sark.Data.Schema;
using Sark.V1Import.Adoption;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what a host that works on adopted SARK v1 databases needs beside <c>AddSark</c>.</summary>
public static class V1ImportServiceCollectionExtensions
{
    /// <summary>
    /// Lets <see cref="SchemaVerifier"/> tolerate the differences an adopted v1 database is known to
    /// have (read from its adoption record), instead of reporting them as drift, and registers
    /// <see cref="DatabaseAdopter"/> (transient, with <c>SarkOptions.Migrations</c>). The v1→v2 tools
    /// (Planner, Importer, Validator, Rollback) take per-run options and are created with the data
    /// source by whoever runs them.
    /// </summary>
    public static IServiceCollection AddSarkV1Import(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IKnownDifferencesSource, AdoptionKnownDifferences>();
        services.TryAddTransient(provider => new DatabaseAdopter(
            provider.GetRequiredService<NpgsqlDataSource>(),
            provider.GetRequiredService<MigrationSet>(),
            provider.GetRequiredService<IOptions<SarkOptions>>().Value.Migrations));
        return services;
    }
}
