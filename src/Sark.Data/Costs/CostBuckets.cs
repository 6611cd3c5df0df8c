using Npgsql;
using NpgsqlTypes;

namespace Sark.Data.Costs;

/// <summary>
/// Ingested amounts summed per principal, currency and UTC quarter hour, with the first row number
/// of each (for a message naming a row). A few rows per principal instead of every cost row.
/// </summary>
internal sealed class CostBuckets
{
    private static readonly long QuarterHour = TimeSpan.FromMinutes(15).Ticks;

    private readonly Dictionary<(string Principal, string Currency, long Bucket), (decimal Amount, long FirstRow)> sums = [];

    public void Add(string principal, string currency, DateTimeOffset utcTimestamp, decimal amount, long row)
    {
        var key = (principal, currency, utcTimestamp.UtcTicks - (utcTimestamp.UtcTicks % QuarterHour));
        sums[key] = sums.TryGetValue(key, out var sum) ? (sum.Amount + amount, sum.FirstRow) : (amount, row);
    }

    public async Task CopyAsync(NpgsqlConnection connection, string copySql, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(copySql, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        foreach (var ((principal, currency, bucket), (amount, firstRow)) in sums)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(principal, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(currency, NpgsqlDbType.Char, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(new DateTimeOffset(bucket, TimeSpan.Zero), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(firstRow, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
