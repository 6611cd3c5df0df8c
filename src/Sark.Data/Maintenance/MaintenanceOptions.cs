namespace Sark.Data.Maintenance;

/// <summary>
/// What <see cref="MaintenanceJob"/> does and how often <c>AddSarkMaintenance</c>'s background
/// service runs it; bound from the <c>Sark:Maintenance</c> section or set in code, checked when the
/// host starts (<see cref="Check"/>). The sark CLI fills the same type from its flags.
/// </summary>
public sealed class MaintenanceOptions
{
    /// <summary>The configuration section <c>AddSarkMaintenance(configuration)</c> binds.</summary>
    public const string SectionName = "Sark:Maintenance";

    /// <summary>Most months ahead: ten years of empty partitions is already more than any plan needs.</summary>
    public const int MonthsAheadLimit = 120;

    /// <summary>Shortest retention: a partition is a month, so less than a day is a mistake, not a policy.</summary>
    public static readonly TimeSpan RetentionMinimum = TimeSpan.FromDays(1);

    /// <summary>Longest retention accepted (100 years): beyond it the cutoff leaves the calendar.</summary>
    public static readonly TimeSpan RetentionLimit = TimeSpan.FromDays(36_500);

    /// <summary>Longest lock timeout: a DDL waiting longer stalls every query queued behind it.</summary>
    public static readonly TimeSpan LockTimeoutLimit = TimeSpan.FromMinutes(10);

    /// <summary>Shortest interval between two runs of the background service.</summary>
    public static readonly TimeSpan IntervalMinimum = TimeSpan.FromSeconds(1);

    /// <summary>Longest interval between two runs (a week: retention and partitions ahead need at least that).</summary>
    public static readonly TimeSpan IntervalLimit = TimeSpan.FromDays(7);

    /// <summary>
    /// Monthly partitions kept ready after the current UTC month (default 3): cost_tracking_pYYYYMM
    /// and audit_events_pYYYYMM exist for this month and the next <see cref="MonthsAhead"/>.
    /// </summary>
    public int MonthsAhead { get; set; } = 3;

    /// <summary>How long cost rows are kept (default 365 days); older partitions are dropped whole.</summary>
    public TimeSpan CostRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long audit events are kept (default 730 days); older partitions are dropped whole.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>
    /// How long each DDL statement may wait for its table lock (default 5 s). A lock that cannot be
    /// had in time is reported and tried again on the next run, instead of queueing the
    /// application's queries behind the DDL.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the background service runs the job (default 1 hour); the first run is at start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every problem with these options, one line each naming the setting, its value and what was expected.</summary>
    public IReadOnlyList<string> Check()
    {
        var failures = new List<string>();
        if (MonthsAhead is < 0 or > MonthsAheadLimit)
        {
            failures.Add($"{nameof(MonthsAhead)} is {MonthsAhead}; expected a number of months from 0 to {MonthsAheadLimit}, such as 3");
        }

        CheckRange(nameof(CostRetention), CostRetention, RetentionMinimum, RetentionLimit, "365.00:00:00", failures);
        CheckRange(nameof(AuditRetention), AuditRetention, RetentionMinimum, RetentionLimit, "730.00:00:00", failures);
        if (LockTimeout <= TimeSpan.Zero || LockTimeout > LockTimeoutLimit || LockTimeout.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            failures.Add($"{nameof(LockTimeout)} is {LockTimeout}; expected whole milliseconds above 0 and up to {LockTimeoutLimit}, such as 00:00:05");
        }

        CheckRange(nameof(Interval), Interval, IntervalMinimum, IntervalLimit, "01:00:00", failures);
        return failures;
    }

    private static void CheckRange(string name, TimeSpan value, TimeSpan minimum, TimeSpan maximum, string example, List<string> failures)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add($"{name} is {value}; expected from {minimum} to {maximum}, such as {example}");
        }
    }

    internal MaintenanceOptions Copy() => (MaintenanceOptions)MemberwiseClone();
}
