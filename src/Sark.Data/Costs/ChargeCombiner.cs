using Npgsql;

namespace Sark.Data.Costs;

/// <summary>
/// Charges of one principal made at the same moment through one <see cref="CostLedger"/> share a
/// transaction. Each charge holds the principal's budget row lock until its commit, and a commit
/// waits for its WAL flush (fsync), so charges of one principal are serialised by the flush: about
/// one per flush. Charges that queue up while one runs are sent together as one batch (one round
/// trip, one transaction, one flush), each still checked and charged by its own sark_charge call
/// in order, so a batch of N costs about what one charge costs. A lone charge goes alone, as
/// before. When a batch fails (a charge raises an error), its transaction rolls back whole and
/// each of its charges is run again on its own, so each gets its own outcome or error. A charge
/// still queued when its caller cancels leaves the queue with an <see cref="OperationCanceledException"/>;
/// once sent, its outcome stands.
/// </summary>
internal sealed class ChargeCombiner(Func<IReadOnlyList<ChargeCall>, Task> runBatch)
{
    /// <summary>The most charges sent in one transaction (bounds a batch's latency and lock time).</summary>
    public const int MaxBatch = 64;

    private readonly Dictionary<string, Lane> lanes = new(StringComparer.Ordinal);

    public Task<ChargeResult> ChargeAsync(ChargeCall call)
    {
        Lane lane;
        bool lead;
        lock (lanes)
        {
            if (!lanes.TryGetValue(call.Principal, out lane!))
            {
                lane = new Lane();
                lanes[call.Principal] = lane;
            }

            lane.Queue.Add(call);
            lead = !lane.Running;
            lane.Running = true;
        }

        if (lead)
        {
            return LeadAsync(call, lane);
        }

        WithdrawOnCancel(call, lane);
        return call.Outcome.Task;
    }

    // A queued charge whose caller cancels leaves the queue and ends at once: it was never sent,
    // so nothing of it reaches the database. Once taken into a batch (Take) the registration is
    // gone and the batch's outcome stands (a batch is everyone's; one caller cannot cancel it).
    private void WithdrawOnCancel(ChargeCall call, Lane lane)
    {
        if (!call.CancellationToken.CanBeCanceled)
        {
            return;
        }

        var registration = call.CancellationToken.Register(() =>
        {
            bool withdrawn;
            lock (lanes)
            {
                withdrawn = Withdraw(lane, call);
            }

            if (withdrawn)
            {
                call.Outcome.TrySetCanceled(call.CancellationToken);
            }
        });
        lock (lanes)
        {
            // Taken meanwhile: it is being sent; its outcome stands.
            if (lane.Queue.Exists(queued => ReferenceEquals(queued, call)))
            {
                call.Registration = registration;
                return;
            }
        }

        registration.Unregister();
    }

    // The caller that found the lane idle sends the first batch itself (a lone charge takes no
    // thread hop); whatever queued meanwhile is sent by a drainer on the thread pool.
    private async Task<ChargeResult> LeadAsync(ChargeCall call, Lane lane)
    {
        var batch = Take(call.Principal, lane);
        await SendAsync(batch!).ConfigureAwait(false);
        lock (lanes)
        {
            if (lane.Queue.Count == 0)
            {
                lane.Running = false;
                lanes.Remove(call.Principal);
            }
            else
            {
                _ = Task.Run(() => DrainAsync(call.Principal, lane));
            }
        }

        return await call.Outcome.Task.ConfigureAwait(false);
    }

    // By reference: ChargeCall is a record, and two retries of one charge may be equal by value.
    private static bool Withdraw(Lane lane, ChargeCall call)
    {
        var index = lane.Queue.FindIndex(queued => ReferenceEquals(queued, call));
        if (index < 0)
        {
            return false;
        }

        lane.Queue.RemoveAt(index);
        return true;
    }

    // One drainer per principal at a time: it sends what queued up, then what queued meanwhile.
    private async Task DrainAsync(string principal, Lane lane)
    {
        while (Take(principal, lane) is { } batch)
        {
            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    // The next batch, or null when the lane is empty (it is then idle: the next caller leads).
    private List<ChargeCall>? Take(string principal, Lane lane)
    {
        lock (lanes)
        {
            if (lane.Queue.Count == 0)
            {
                lane.Running = false;
                lanes.Remove(principal);
                return null;
            }

            var take = Math.Min(MaxBatch, lane.Queue.Count);
            var batch = lane.Queue.GetRange(0, take);
            lane.Queue.RemoveRange(0, take);
            foreach (var call in batch)
            {
                // Unregister, not Dispose: Dispose would wait for a running callback, which waits for this lock.
                call.Registration.Unregister();
            }

            return batch;
        }
    }

    private async Task SendAsync(List<ChargeCall> batch)
    {
        try
        {
            await runBatch(batch).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var call in batch)
            {
                call.Outcome.TrySetException(ex);
            }
        }
    }

    private sealed class Lane
    {
        public List<ChargeCall> Queue { get; } = [];

        public bool Running { get; set; }
    }
}

/// <summary>A checked charge waiting for its outcome.</summary>
internal sealed record ChargeCall(
    string ChargeId, string Principal, string Resource, string Capability, decimal? Estimated, decimal? Actual, decimal Amount,
    string Currency, string Metadata, DateTimeOffset? At, CancellationToken CancellationToken)
{
    public TaskCompletionSource<ChargeResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Withdraws the charge from its queue when its caller cancels; set under the combiner's lock.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    public void Bind(NpgsqlParameterCollection p)
    {
        p.Add(CostLedger.Text(ChargeId));
        p.Add(CostLedger.Text(Principal));
        p.Add(CostLedger.Text(Resource));
        p.Add(CostLedger.Text(Capability));
        p.Add(CostLedger.Numeric(Estimated));
        p.Add(CostLedger.Numeric(Actual));
        p.Add(CostLedger.Text(Currency));
        p.Add(new NpgsqlParameter { Value = Metadata, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb });
        p.Add(CostLedger.Instant(At));
    }
}
