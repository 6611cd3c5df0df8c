using Microsoft.Extensions.DependencyInjection.Extensions;
using Sark.Data.Schema;
using Sark.V1Import.Adoption;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what a host that works on adopted SARK v1 databases needs beside <c>AddSark</c>.</summary>
public static class V1ImportServiceCollectionExtensions
{
    /// <summary>
    /// Lets <see cref="SchemaVerifier"/> tolerate the differences an adopted v1 database is known to
    /// have (read from its adoption record), instead of reporting them as drift.
    /// </summary>
    public static IServiceCollection AddSarkV1Import(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IKnownDifferencesSource, AdoptionKnownDifferences>();
        return services;
    }
}
