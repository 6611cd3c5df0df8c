using System.Text;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>
/// Turns what a user typed (a <c>postgresql://</c> URL or an Npgsql keyword string) into an
/// Npgsql connection string, and masks passwords in anything that is printed.
/// </summary>
public static class ConnectionStrings
{
    private static readonly Dictionary<string, string> UrlQueryKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["search_path"] = "Search Path",
        ["host"] = "Host",
        ["port"] = "Port",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
    };

    /// <summary>Parses a URL or keyword string; throws <see cref="UsageException"/> naming the problem.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            throw new UsageException("connection string is empty; expected postgresql://user@host:port/db or 'Host=…;Database=…'");
        }

        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && !IsUrl(trimmed) && !trimmed[..scheme].Contains('=', StringComparison.Ordinal))
        {
            throw new UsageException($"connection URL '{Mask(trimmed)}' has scheme '{trimmed[..scheme]}'; expected postgresql:// or postgres://");
        }

        var builder = IsUrl(trimmed) ? ParseUrl(trimmed) : ParseKeywords(trimmed);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new UsageException($"connection string '{Mask(trimmed)}' names no host; expected postgresql://user@host:port/db or 'Host=…;Database=…'");
        }

        return builder;
    }

    public static bool IsUrl(string value) =>
        value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder ParseKeywords(string value)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new UsageException(
                $"connection string '{Mask(value)}' is not valid ({FirstLine(ex.Message)}); expected postgresql://user@host:port/db or 'Host=…;Database=…'", ex);
        }
    }

    private static NpgsqlConnectionStringBuilder ParseUrl(string url)
    {
        var masked = Mask(url);
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string query = "";
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }

        string path = "";
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Decode(colon >= 0 ? userInfo[..colon] : userInfo, masked);
            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..], masked);
            }
        }

        SetHosts(builder, rest, masked);
        if (path.Length > 0)
        {
            builder.Database = Decode(path, masked);
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq >= 0 ? pair[..eq] : pair, masked);
            var val = eq >= 0 ? Decode(pair[(eq + 1)..], masked) : "";
            if (!UrlQueryKeywords.TryGetValue(key, out var keyword))
            {
                throw new UsageException(
                    $"connection URL '{masked}' has unknown parameter '{key}'; expected one of {string.Join(", ", UrlQueryKeywords.Keys)}");
            }

            try
            {
                builder[keyword] = keyword == "SSL Mode" ? NormaliseSslMode(val) : val;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                throw new UsageException($"connection URL '{masked}' has a bad value '{val}' for '{key}' ({FirstLine(ex.Message)})", ex);
            }
        }

        return builder;
    }

    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string hostPart, string masked)
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
                    throw new UsageException($"connection URL '{masked}' has an unclosed IPv6 address '{entry}'");
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
                throw new UsageException($"connection URL '{masked}' has port '{port}'; expected a number from 1 to 65535");
            }

            hosts.Add((Decode(host, masked), port is null ? null : int.Parse(port)));
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

    private static string NormaliseSslMode(string value) => value.ToLowerInvariant() switch
    {
        "disable" => "Disable",
        "allow" => "Allow",
        "prefer" => "Prefer",
        "require" => "Require",
        "verify-ca" => "VerifyCA",
        "verify-full" => "VerifyFull",
        _ => throw new UsageException($"sslmode '{value}' is not valid; expected disable, allow, prefer, require, verify-ca or verify-full"),
    };

    private static string Decode(string value, string masked)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException ex)
        {
            throw new UsageException($"connection URL '{masked}' has bad percent-encoding in '{Mask(value)}'", ex);
        }
    }

    /// <summary>Replaces the password in a URL or keyword string with <c>***</c>.</summary>
    public static string Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SecretMasker.MaskConnectionText(value);
    }

    /// <summary>A printable form of a parsed connection: URL shape, never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var text = new StringBuilder("postgresql://");
        if (!string.IsNullOrEmpty(builder.Username))
        {
            text.Append(Uri.EscapeDataString(builder.Username));
            if (!string.IsNullOrEmpty(builder.Password))
            {
                text.Append(":***");
            }

            text.Append('@');
        }

        text.Append(builder.Host);
        if (builder.Port != NpgsqlConnection.DefaultPort && builder.Host?.Contains(':', StringComparison.Ordinal) != true)
        {
            text.Append(':').Append(builder.Port);
        }

        text.Append('/').Append(Uri.EscapeDataString(builder.Database ?? ""));
        return text.ToString();
    }

    /// <summary>The first line of a possibly multi-line message, for one-line errors.</summary>
    public static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? text[..newline] : text;
    }
}
