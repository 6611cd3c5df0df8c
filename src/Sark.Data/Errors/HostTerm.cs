namespace Sark.Data.Errors;

/// <summary>
/// Words in a message that each host says its own way. The library names a setting or an
/// operation by its API (<c>LocalPostgresOptions.HomeDirectory</c>, <c>MigrationRunner.RepairAsync</c>);
/// the CLI names the same thing by its flag or command (<c>--data-dir</c>, <c>'sark db repair'</c>).
/// <see cref="Code"/> is stable, and what a host keys its own wording by; <see cref="Value"/> is what
/// that wording needs besides (a version number), and <see cref="Text"/> already holds it.
/// </summary>
public sealed record HostTerm(string Code, string Text, object? Value = null)
{
    public override string ToString() => Text;
}
