namespace Sark.V1Import;

public sealed record ImportOptions
{
    /// <summary>v1 rows per batch; each batch is one transaction with its checkpoint.</summary>
    public int BatchSize { get; init; } = 5000;

    /// <summary>Rows listed per action in reports; counts are always complete.</summary>
    public int RowsListed { get; init; } = 1000;

    /// <summary>Recorded in v1_import_runs.started_by after the database user.</summary>
    public string StartedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
