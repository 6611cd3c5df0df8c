using System.Diagnostics;
using Npgsql;

namespace Sark.Cli.Bench;

/// <summary>
/// Latency figures of one measured operation, in milliseconds, and its throughput: calls per
/// second, and units per second (rows or events: a batch call carries many).
/// </summary>
internal sealed record LatencySummary(
    long Samples, double MinMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs, double PerSecond, double UnitsPerSecond)
{
    /// <summary>Nearest-rank percentiles over every sample: no interpolation, no sample dropped.</summary>
    public static LatencySummary From(List<double> milliseconds, double seconds, int unitsPerCall = 1)
    {
        milliseconds.Sort();
        double Rank(double p) => milliseconds[Math.Max(0, (int)Math.Ceiling(p * milliseconds.Count) - 1)];
        return new LatencySummary(
            milliseconds.Count, milliseconds[0], Rank(0.50), Rank(0.95), Rank(0.99), milliseconds[^1],
            milliseconds.Average(), milliseconds.Count / seconds, milliseconds.Count * (double)unitsPerCall / seconds);
    }
}

/// <summary>
/// Runs an operation the way a SARK component does: each call rents a connection from the warm
/// pool, prepares the statement (Npgsql keeps it prepared on the physical connection, so after the
/// first call on a connection this costs no round trip), executes it, reads every value of every
/// row, and returns the connection. A call's latency is all of that. <c>clients</c> loops run at
/// once for the whole duration, after a warm-up whose calls are not counted.
/// </summary>
/// <remarks>
/// Why this is slower than pgbench on the same statement, measured (docs/performance.md): pgbench
/// holds one connection per client and only sends Bind/Execute/Sync. Here, each call also rents and
/// returns a pooled connection; SARK's pool sends no session reset between rents (the work that
/// changes a session has sessions of its own, see SarkDataSource.OpenAsync), so what remains is the
/// async API: the reply is handed from the socket's event thread to a thread-pool thread, a thread
/// switch that costs nothing on an idle machine and tens of microseconds when the cores are busy.
/// Allocations (1.5–26 KB a call, mostly the values read), GC, command objects and explicit versus
/// automatic preparation were measured and make no difference worth a figure.
/// </remarks>
internal sealed class OperationSampler(NpgsqlDataSource dataSource, BenchDataset dataset)
{
    private readonly BenchStores stores = BenchStores.On(dataSource);

    /// <summary>The stores the calls go through, for an operation's preparation.</summary>
    public BenchStores Stores => stores;

    public async Task<LatencySummary> RunAsync(
        BenchOperation operation, int clients, TimeSpan warmUp, TimeSpan duration, int seed, CancellationToken cancellationToken)
    {
        await WarmPoolAsync(operation, clients, seed, cancellationToken);
        await RunClientsAsync(operation, clients, warmUp, seed, cancellationToken);
        var clock = Stopwatch.StartNew();
        var perClient = await RunClientsAsync(operation, clients, duration, seed + 1, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = new List<double>(perClient.Sum(p => p.Count));
        foreach (var samples in perClient)
        {
            all.AddRange(samples);
        }

        return LatencySummary.From(all, seconds, operation.UnitsPerCall);
    }

    // Opens as many connections as there are clients at once, so none is opened while measuring,
    // and prepares the statement on each, so no measured call pays for a Parse round trip
    // whichever pooled connection it gets (a warm component's pool has them prepared too).
    private async Task WarmPoolAsync(BenchOperation operation, int clients, int seed, CancellationToken cancellationToken)
    {
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < clients; i++)
            {
                connections.Add(await dataSource.OpenConnectionAsync(cancellationToken));
            }

            var random = new Random(seed);
            foreach (var connection in connections.Where(_ => operation.StoreCall is null))
            {
                await using var command = CreateCall(operation, connection, operation.Draw(dataset, random));
                await command.PrepareAsync(cancellationToken);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<List<double>[]> RunClientsAsync(BenchOperation operation, int clients, TimeSpan duration, int seed, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, clients)
            .Select(client => Task.Run(() => RunClientAsync(operation, deadline, new Random(HashCode.Combine(seed, client)), cancellationToken), cancellationToken))
            .ToArray();
        return await Task.WhenAll(tasks);
    }

    private async Task<List<double>> RunClientAsync(BenchOperation operation, long deadline, Random random, CancellationToken cancellationToken)
    {
        // At least one call per client, even when one call outlasts the duration.
        var samples = new List<double>(capacity: 16_384);
        do
        {
            var values = operation.Draw(dataset, random);
            var start = Stopwatch.GetTimestamp();
            await CallAsync(operation, values, cancellationToken);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        while (Stopwatch.GetTimestamp() < deadline);

        return samples;
    }

    // One component call, timed whole: rent, prepare, execute, read, return. The connection is
    // rented per call, not held per client as pgbench does, because a component does not own one.
    private async Task CallAsync(BenchOperation operation, object[] values, CancellationToken cancellationToken)
    {
        if (operation.StoreCall is { } call)
        {
            await call(stores, values, cancellationToken);
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = CreateCall(operation, connection, values);
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var column = 0; column < reader.FieldCount; column++)
            {
                _ = reader.GetValue(column);
            }
        }
    }

    private static NpgsqlCommand CreateCall(BenchOperation operation, NpgsqlConnection connection, object[] values)
    {
        var command = operation.CreateCommand(connection);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command;
    }
}
