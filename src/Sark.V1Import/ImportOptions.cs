namespace Sark.V1Import;

public sealed record ImportOptions
{
    /// <summary>v1 rows per batch; each batch is one transaction with its checkpoint.</summary>
    public int BatchSize { get; init; } = 5000;

    /// <summary>Rows listed per action in reports; counts are always complete.</summary>
    public int RowsListed { get; init; } = 1000;

    /// <summary>
    /// Times each kind of statement (sent one by one rather than as one batch, so a little
    /// slower); the totals come back in <see cref="ImportResult.StatementMilliseconds"/>.
    /// </summary>
    public bool TimeStatements { get; init; }

    /// <summary>Recorded in v1_import_runs.started_by after the database user.</summary>
    public string StartedBy { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
