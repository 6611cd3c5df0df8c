using System.Globalization;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>
/// The hosts of a connection. Npgsql reads a port out of its Host setting ("h:5433,h2") only when
/// it connects, with int.Parse: a bad one was an "unexpected error" quoting it, and when a pasting
/// slip put part of a password there ("Host=h pass:secret") the quote was the password. So every
/// host is checked while parsing, by the rule Npgsql splits them with, and nothing of it is repeated.
/// </summary>
public static partial class ConnectionStrings
{
    /// <summary>
    /// Whether every host in <paramref name="hosts"/> (Npgsql's Host setting) is one Npgsql can use;
    /// <paramref name="problem"/> names the bad one by its position, never by its text.
    /// </summary>
    internal static bool TryCheckHosts(string hosts, out string problem)
    {
        var entries = hosts.Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var which = entries.Length == 1 ? "the host" : $"the {Ordinal(i + 1)} host";
            problem = CheckHost(entry) switch
            {
                HostProblem.Empty => $"{which} is empty; expected host names or addresses separated by ','",
                HostProblem.Blank => $"{which} holds a blank; expected a host name or address (an unquoted ';' in a password, or a missing one between pairs, can put other text there)",
                HostProblem.Port => $"the port of {which} (after its ':') is not a number from 1 to 65535",
                _ => "",
            };
            if (problem.Length > 0)
            {
                return false;
            }
        }

        problem = "";
        return true;
    }

    private static void CheckHosts(NpgsqlConnectionStringBuilder builder, bool isUrl)
    {
        if (!string.IsNullOrEmpty(builder.Host) && !TryCheckHosts(builder.Host, out var problem))
        {
            throw new UsageException(isUrl ? $"connection URL's host part or ?host=: {problem}" : $"connection string's Host: {problem}");
        }
    }

    private enum HostProblem
    {
        None,
        Empty,
        Blank,
        Port,
    }

    private static HostProblem CheckHost(string entry)
    {
        if (entry.Trim().Length == 0)
        {
            return HostProblem.Empty;
        }

        // A Unix-socket folder: a path, which may hold blanks (a home such as "/home/Ann Lee").
        if (entry.StartsWith('/'))
        {
            return HostProblem.None;
        }

        if (entry.Any(char.IsWhiteSpace))
        {
            return HostProblem.Blank;
        }

        // Npgsql's rule: the last ':' starts a port when it is the only ':', or when it follows the
        // ']' closing an IPv6 address ("[::1]:5433"); a bare IPv6 address ("::1") has no port.
        var colon = entry.LastIndexOf(':');
        if (colon < 0)
        {
            return HostProblem.None;
        }

        var otherColon = colon == 0 ? -1 : entry.LastIndexOf(':', colon - 1);
        var bracket = entry.LastIndexOf(']');
        if (otherColon >= 0 && !(colon > bracket && otherColon < bracket))
        {
            return HostProblem.None;
        }

        if (colon == 0)
        {
            // ":5433" names a port and no host.
            return HostProblem.Empty;
        }

        var port = entry[(colon + 1)..];
        return port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) && int.Parse(port, CultureInfo.InvariantCulture) is >= 1 and <= 65535
            ? HostProblem.None
            : HostProblem.Port;
    }

    private static string Ordinal(int number) => number switch
    {
        _ when number % 100 is 11 or 12 or 13 => $"{number}th",
        _ when number % 10 == 1 => $"{number}st",
        _ when number % 10 == 2 => $"{number}nd",
        _ when number % 10 == 3 => $"{number}rd",
        _ => $"{number}th",
    };

    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string hostPart)
    {
        if (hostPart.Length == 0)
        {
            return;
        }

        // Several hosts are allowed (host1:5432,host2:5433); Npgsql takes them in its Host keyword.
        var hosts = new List<(string Host, int? Port)>();
        foreach (var entry in hostPart.Split(','))
        {
            var host = entry;
            string? port = null;
            if (host.StartsWith('['))
            {
                var close = host.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new UsageException("connection URL has an IPv6 address without its closing ']'");
                }

                port = close + 1 < host.Length && host[close + 1] == ':' ? host[(close + 2)..] : null;
                host = host[1..close];
            }
            else if (host.LastIndexOf(':') is var colon and >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }

            if (port is not null && (!int.TryParse(port, out var portNumber) || portNumber is < 1 or > 65535))
            {
                // The port is not repeated: when the URL was cut in the wrong place it is a piece of the password.
                throw new UsageException("the port part of the connection URL (after the host's ':') is not a number from 1 to 65535");
            }

            hosts.Add((Decode(host, "host"), port is null ? null : int.Parse(port)));
        }

        if (hosts.Count == 1)
        {
            builder.Host = hosts[0].Host;
            if (hosts[0].Port is { } single)
            {
                builder.Port = single;
            }

            return;
        }

        builder.Host = string.Join(',', hosts.Select(h =>
            (h.Host.Contains(':', StringComparison.Ordinal) ? $"[{h.Host}]" : h.Host) + (h.Port is { } p ? $":{p}" : "")));
    }
}
