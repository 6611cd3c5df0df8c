using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Data.Hosting;

/// <summary>
/// Checks <see cref="SarkOptions"/> when the host starts (AddSark registers it with ValidateOnStart),
/// so a bad setting stops the host with one line per problem naming the setting by its
/// configuration key, its value and what was expected. The connection string is never repeated:
/// it may hold a password.
/// </summary>
internal sealed class SarkOptionsValidator : IValidateOptions<SarkOptions>
{
    private const string Prefix = SarkOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, SarkOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>, one line each; empty when they are usable.</summary>
    public static IReadOnlyList<string> Check(SarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = CheckConnectionString(options.ConnectionString, failures);
        CheckApplicationName(options.ApplicationName, failures);
        CheckPoolSizes(options, connection, failures);
        // Capped at a day: configuration reads a bare number as days ("CommandTimeout": 30 is a month),
        // and no ordinary command should wait that long; 00:00:00 is there for "no limit".
        if (options.CommandTimeout is { } command && (command < TimeSpan.Zero || !WholeSeconds(command) || command > SarkOptions.CommandTimeoutLimit))
        {
            failures.Add($"{Prefix}{nameof(SarkOptions.CommandTimeout)} is {Show(command)}; expected whole seconds up to {Show(SarkOptions.CommandTimeoutLimit)}, such as 00:00:30, or 00:00:00 for no limit (a bare number is read as days)");
        }

        // The same cap for a timeout the connection string gives (when the option does not
        // override it): beyond about 49 days Npgsql fails with an unrelated error at the first command.
        if (options.CommandTimeout is null && connection is { CommandTimeout: var seconds } && seconds > SarkOptions.CommandTimeoutLimit.TotalSeconds)
        {
            failures.Add($"'Command Timeout' in {Prefix}{nameof(SarkOptions.ConnectionString)} is {seconds} s; expected at most {SarkOptions.CommandTimeoutLimit.TotalSeconds:0} (a day), or 0 for no limit");
        }

        if (options.ConnectTimeout is { } connect && (connect < TimeSpan.FromSeconds(1) || !WholeSeconds(connect) || connect > SarkOptions.ConnectTimeoutLimit))
        {
            failures.Add($"{Prefix}{nameof(SarkOptions.ConnectTimeout)} is {Show(connect)}; expected whole seconds from 00:00:01 to {Show(SarkOptions.ConnectTimeoutLimit)}, such as 00:00:15");
        }

        CheckMigrations(options.Migrations, failures);
        return failures;
    }

    private static NpgsqlConnectionStringBuilder? CheckConnectionString(string? value, List<string> failures)
    {
        const string Key = Prefix + nameof(SarkOptions.ConnectionString);
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{Key} is {(value is null ? "not set" : "empty")}; expected postgresql://user@host:port/db or 'Host=…;Database=…'");
            return null;
        }

        try
        {
            return ConnectionStrings.Parse(value);
        }
        catch (SarkException ex)
        {
            // The parser's messages name the part that is wrong and never repeat the input.
            failures.Add($"{Key} is not valid: {ex.Message}");
            return null;
        }
    }

    private static void CheckApplicationName(string? value, List<string> failures)
    {
        const string Key = Prefix + nameof(SarkOptions.ApplicationName);
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{Key} is empty; expected a name for pg_stat_activity, such as '{SarkOptions.DefaultApplicationName}'");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(value) is var bytes && bytes > 63)
        {
            // PostgreSQL keeps 63 bytes of it: two hosts whose names differ after that would look alike.
            failures.Add($"{Key} is {bytes} bytes long in UTF-8; expected at most 63");
        }
    }

    private static void CheckPoolSizes(SarkOptions options, NpgsqlConnectionStringBuilder? connection, List<string> failures)
    {
        if (options.MaxPoolSize is { } max && (max < 1 || max > SarkOptions.PoolSizeLimit))
        {
            failures.Add($"{Prefix}{nameof(SarkOptions.MaxPoolSize)} is {max}; expected a number from 1 to {SarkOptions.PoolSizeLimit:N0}");
            return;
        }

        if (options.MinPoolSize is not { } min)
        {
            return;
        }

        // The pool's size limit is this option's when set, else the connection string's (or Npgsql's default).
        var limit = options.MaxPoolSize ?? connection?.MaxPoolSize ?? new NpgsqlConnectionStringBuilder().MaxPoolSize;
        var limitName = options.MaxPoolSize is null ? $"Maximum Pool Size ({limit})" : $"{Prefix}{nameof(SarkOptions.MaxPoolSize)} ({limit})";
        if (min < 0 || min > limit)
        {
            failures.Add($"{Prefix}{nameof(SarkOptions.MinPoolSize)} is {min}; expected a number from 0 to {limitName}");
        }
    }

    private static void CheckMigrations(MigrationRunnerOptions? migrations, List<string> failures)
    {
        const string Key = Prefix + nameof(SarkOptions.Migrations) + ":";
        if (migrations is null)
        {
            failures.Add($"{Prefix}{nameof(SarkOptions.Migrations)} is not set; expected the runner's timeouts, or leave it out for the defaults");
            return;
        }

        foreach (var (name, value) in new[] { (nameof(migrations.LockTimeout), migrations.LockTimeout), (nameof(migrations.StatementTimeout), migrations.StatementTimeout) })
        {
            // Below 1 ms PostgreSQL would round to 0, which means "no timeout": the opposite of what was asked.
            if (value < TimeSpan.FromMilliseconds(1) || value > MigrationRunnerOptions.MaximumTimeout || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                failures.Add($"{Key}{name} is {Show(value)}; expected whole milliseconds from 00:00:00.001 to {Show(MigrationRunnerOptions.MaximumTimeout)} (24.8 days)");
            }
        }

        if (migrations.LockWait < TimeSpan.Zero)
        {
            failures.Add($"{Key}{nameof(migrations.LockWait)} is {Show(migrations.LockWait)}; expected 00:00:00 (do not wait) or more, such as 00:01:00");
        }

        if (string.IsNullOrWhiteSpace(migrations.AppliedBy))
        {
            failures.Add($"{Key}{nameof(migrations.AppliedBy)} is empty; expected who applies migrations, such as user@host");
        }
    }

    private static bool WholeSeconds(TimeSpan value) => value.Ticks % TimeSpan.TicksPerSecond == 0;

    // The form configuration files use, so the value can be found and fixed as shown.
    private static string Show(TimeSpan value) => value.ToString("c");
}
