using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sark.Data.Schema;

namespace Sark.Testing;

/// <summary>
/// The names the harness gives the databases it creates, and which of them this machine may drop.
/// A test database is <c>t_HOST_BOOT_PID_N</c>: HOST hashes the host name and machine id, BOOT the
/// kernel's boot id. On a server shared by several machines, only a database with this HOST is
/// provably ours, and only then does its PID mean anything here: it is abandoned when it was made
/// before the last reboot (other BOOT) or its process is gone.
/// </summary>
public static partial class TestDatabaseNames
{
    public static string HostId { get; } = ShortHash(Environment.MachineName + "\n" + ReadFirstLine("/etc/machine-id"), 10);

    public static string BootId { get; } = ShortHash(ReadFirstLine("/proc/sys/kernel/random/boot_id"), 8);

    /// <summary>The name of a new test database made by this process.</summary>
    public static string ForThisProcess(int sequence) => For(HostId, BootId, Environment.ProcessId, sequence);

    public static string For(string hostId, string bootId, int processId, int sequence) =>
        $"t_{hostId}_{bootId}_{processId}_{sequence}";

    /// <summary>A LIKE pattern that preselects test databases of this host.</summary>
    public static string ThisHostPattern => $"t\\_{HostId}\\_%";

    /// <summary>True only for a test database this machine made whose process no longer runs.</summary>
    public static bool IsAbandonedHere(string name)
    {
        var match = TestDatabasePattern().Match(name);
        if (!match.Success || match.Groups["host"].Value != HostId)
        {
            return false;
        }

        return match.Groups["boot"].Value != BootId || !IsAlive(int.Parse(match.Groups["pid"].Value));
    }

    /// <summary>
    /// The migrated template's name: a hash of the migrations and the current UTC month. 007 makes
    /// cost partitions for the month it runs in and the next one, so a template is what migrating
    /// to head produces only during its month; a new month builds a new one. Creating the missing
    /// partitions in each copy instead would give the tests a database no migration produces.
    /// </summary>
    public static string Template(MigrationSet migrations, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        var hash = MigrationChecksum.Of(string.Join(',', migrations.Migrations.Select(m => m.Checksum + m.Down.Checksum)))[..12];
        return $"sark_tpl_{hash}_{utcNow:yyyyMM}";
    }

    /// <summary>
    /// A template of a month before the previous one: no run can still copy it (a run that
    /// started last month may, so that month's stay).
    /// </summary>
    public static bool IsOutdatedTemplate(string name, DateTime utcNow)
    {
        var match = TemplatePattern().Match(name);
        if (!match.Success)
        {
            return false;
        }

        var month = int.Parse(match.Groups["month"].Value);
        var previous = utcNow.AddMonths(-1);
        return month < (previous.Year * 100) + previous.Month;
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string ShortHash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];

    private static string ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [GeneratedRegex("^t_(?<host>[0-9a-f]{10})_(?<boot>[0-9a-f]{8})_(?<pid>[0-9]{1,9})_[0-9]+$")]
    private static partial Regex TestDatabasePattern();

    [GeneratedRegex("^sark_tpl_[0-9a-f]{12}_(?<month>[0-9]{6})$")]
    private static partial Regex TemplatePattern();
}
