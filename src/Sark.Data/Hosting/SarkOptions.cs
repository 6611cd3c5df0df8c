using Sark.Data.Schema;

namespace Sark.Data;

/// <summary>
/// Everything a host sets to use Sark.Data, bound from the <c>Sark</c> configuration section by
/// <c>AddSark(configuration)</c> or set in code by <c>AddSark(o => …)</c>; the sark CLI fills the
/// same type from its flags and environment. Checked at start-up (<see cref="Hosting.SarkOptionsValidator"/>).
/// A pool size or timeout left unset (null) keeps what the connection string says, else Npgsql's default.
/// </summary>
public sealed class SarkOptions
{
    /// <summary>The configuration section <c>AddSark(configuration)</c> binds.</summary>
    public const string SectionName = "Sark";

    /// <summary>Used when neither <see cref="ApplicationName"/> nor the connection string names one.</summary>
    public const string DefaultApplicationName = "sark";

    /// <summary>Largest <see cref="MaxPoolSize"/>: beyond it a process holds more sessions than a server should give one client.</summary>
    public const int PoolSizeLimit = 1024;

    /// <summary>The longest <see cref="CommandTimeout"/> accepted (a day); zero means no limit.</summary>
    public static readonly TimeSpan CommandTimeoutLimit = TimeSpan.FromDays(1);

    /// <summary>Npgsql takes the connect timeout in whole seconds up to this.</summary>
    public static readonly TimeSpan ConnectTimeoutLimit = TimeSpan.FromSeconds(1024);

    /// <summary>
    /// Required: a <c>postgresql://user:password@host:port/db</c> URL or an Npgsql keyword string.
    /// Its password is registered with the secret masker and never appears in a message or log.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The session's application_name (pg_stat_activity, the migration lock's "held by" message)
    /// when the connection string names none: a name given there wins, so an operator can tell
    /// deployments apart without a code change.
    /// </summary>
    public string ApplicationName { get; set; } = DefaultApplicationName;

    /// <summary>Connections the pool keeps open when idle (Npgsql's Minimum Pool Size).</summary>
    public int? MinPoolSize { get; set; }

    /// <summary>Most connections the pool opens (Npgsql's Maximum Pool Size, default 100).</summary>
    public int? MaxPoolSize { get; set; }

    /// <summary>
    /// How long an ordinary command may take before the client gives up, in whole seconds; zero
    /// means no limit (Npgsql's Command Timeout, default 30 s). Schema migrations are bounded by
    /// <see cref="MigrationRunnerOptions.StatementTimeout"/> instead.
    /// </summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>How long opening a connection may take, in whole seconds (Npgsql's Timeout, default 15 s).</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>
    /// The migration runner's timeouts and lock wait (section <c>Sark:Migrations</c>); the runner
    /// <c>AddSark</c> registers uses exactly these.
    /// </summary>
    public MigrationRunnerOptions Migrations { get; set; } = new();
}
