namespace Sark.Data.Paging;

/// <summary>
/// One page of a keyset-paginated listing. Pass <see cref="NextCursor"/> back unchanged with the
/// same filters for the next page; it is opaque, and a changed one is refused.
/// </summary>
/// <param name="Items">The page's items, in the listing's order.</param>
/// <param name="NextCursor">Continues after the last item; null when this page is the last.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    /// <summary>Whether another page follows.</summary>
    public bool HasMore => NextCursor is not null;
}
