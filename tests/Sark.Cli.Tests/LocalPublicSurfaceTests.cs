using Sark.Local;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// Sark.Local's public surface is what the CLI calls: the server, its options, status and error.
/// Its home checks, lock and process runner are internal; Sark.Local is tested through the CLI,
/// so this list lives here. A type added to it is a deliberate change, and documented.
/// </summary>
public sealed class LocalPublicSurfaceTests
{
    private static readonly string[] Approved =
    [
        "Sark.Local.LocalPostgres",
        "Sark.Local.LocalPostgresException",
        "Sark.Local.LocalPostgresOptions",
        "Sark.Local.LocalServerState",
        "Sark.Local.LocalServerStatus",
    ];

    [Fact]
    public void Only_the_approved_types_are_public() =>
        Assert.Empty(PublicSurface.DifferencesFrom(typeof(LocalPostgres).Assembly, Approved));

    [Fact]
    public void Every_public_type_and_property_is_documented() =>
        Assert.Empty(PublicSurface.UndocumentedIn(typeof(LocalPostgres).Assembly));
}
