namespace Sark.Local;

/// <summary>
/// Finds a process still working on a data directory. When sark itself is killed, the initdb (or
/// pg_ctl) it started lives on; a new sark must not delete the files that process is writing.
/// </summary>
internal static class DataDirectoryUsers
{
    /// <summary>Describes one process whose arguments hold <c>-D data</c> (as sark passes it), or null.</summary>
    public static string? Find(string dataDirectory)
    {
        // Linux lists processes in /proc; elsewhere there is nothing to scan.
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        string? found = null;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            var arguments = ReadOrNull(Path.Combine(entry, "cmdline"))?.Split('\0');
            if (arguments is null)
            {
                continue;
            }

            for (var i = 0; i + 1 < arguments.Length; i++)
            {
                if (arguments[i] == "-D" && arguments[i + 1] == dataDirectory)
                {
                    // Under root, runuser also names the folder; the program it runs says more.
                    var name = ReadOrNull(Path.Combine(entry, "comm"))?.Trim() ?? "ended";
                    if (found is null || name != "runuser")
                    {
                        found = $"process {pid} ({name})";
                    }

                    break;
                }
            }
        }

        return found;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process ended while we looked, or hides its details.
            return null;
        }
    }
}
