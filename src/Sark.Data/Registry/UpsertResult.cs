namespace Sark.Data.Registry;

/// <summary>What happened to the resource row itself in an upsert.</summary>
public enum ResourceChange
{
    /// <summary>It was new.</summary>
    Inserted,

    /// <summary>At least one of its own columns changed; updated_at moved.</summary>
    Updated,

    /// <summary>Its columns were as given; nothing was written and updated_at stayed.</summary>
    Unchanged,
}

/// <summary>What <see cref="ResourceStore.UpsertAsync"/> changed; capability lists hold names, sorted.</summary>
/// <param name="ResourceId">The resource.</param>
/// <param name="Resource">What happened to the resource's own row.</param>
/// <param name="Added">Capabilities inserted.</param>
/// <param name="Updated">Capabilities with at least one changed column.</param>
/// <param name="Removed">Stored capabilities the adapter no longer reports, deleted.</param>
/// <param name="Unchanged">Capabilities already stored exactly as given.</param>
/// <param name="Attempts">Transactions it took: more than 1 when a deadlock or serialization failure was retried.</param>
public sealed record UpsertResult(
    string ResourceId,
    ResourceChange Resource,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Unchanged,
    int Attempts)
{
    /// <summary>Whether anything was written.</summary>
    public bool ChangedAnything => Resource != ResourceChange.Unchanged || Added.Count + Updated.Count + Removed.Count > 0;
}
