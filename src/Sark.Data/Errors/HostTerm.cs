namespace Sark.Data.Errors;

/// <summary>
/// Words in a message that each host says its own way. The library names a setting or an
/// operation by its API (<c>LocalPostgresOptions.HomeDirectory</c>, <c>MigrationRunner.RepairAsync</c>);
/// the CLI names the same thing by its flag or command (<c>--data-dir</c>, <c>'sark db repair'</c>).
/// <see cref="Code"/> is stable, and what a host keys its own wording by; <see cref="Value"/> is what
/// that wording needs besides (a version number), and <see cref="Text"/> already holds it.
/// </summary>
/// <param name="Code">The stable code a host keys its wording by (<c>schema.repair</c>).</param>
/// <param name="Text">The library's wording, by API name.</param>
/// <param name="Value">What the host's wording needs besides (a version number), or null.</param>
public sealed record HostTerm(string Code, string Text, object? Value = null)
{
    /// <summary>The library's wording, so a term reads right in a plain interpolated string too.</summary>
    public override string ToString() => Text;
}
