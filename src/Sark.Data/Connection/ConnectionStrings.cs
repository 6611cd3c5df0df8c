using System.Data.Common;
using System.Text;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>
/// Turns what a user typed (a <c>postgresql://</c> URL or an Npgsql keyword string) into an
/// Npgsql connection string, and masks passwords in anything that is printed.
/// </summary>
public static partial class ConnectionStrings
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

    private const string Expected = "expected postgresql://user@host:port/db or 'Host=…;Database=…'";

    /// <summary>
    /// Parses a URL or keyword string; throws <see cref="UsageException"/> naming the part that is
    /// wrong. Messages never repeat the input: a value that failed to parse may hold the password.
    /// </summary>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            throw new UsageException($"connection string is empty; {Expected}");
        }

        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && !IsUrl(trimmed) && !trimmed[..scheme].Contains('=', StringComparison.Ordinal))
        {
            // What stands before :// is named only when it has the shape of a scheme.
            throw new UsageException(SchemeName().IsMatch(trimmed[..scheme])
                ? $"connection URL has scheme '{trimmed[..scheme]}'; expected postgresql:// or postgres://"
                : $"connection string is neither a postgresql:// URL nor Keyword=value pairs; {Expected}");
        }

        var isUrl = IsUrl(trimmed);
        var builder = isUrl ? ParseUrl(trimmed) : ParseKeywords(trimmed);
        SecretMasker.RegisterSecretsOf(builder);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new UsageException($"connection {(isUrl ? "URL" : "string")} names no host; {Expected}");
        }

        CheckHosts(builder, isUrl);

        // Npgsql opens a Passfile it is given only when it connects, and a missing one was an
        // "unexpected error". The path is not repeated: after an unquoted ';' in a password it may
        // be a piece of the password.
        if (!string.IsNullOrEmpty(builder.Passfile) && !File.Exists(builder.Passfile))
        {
            throw new UsageException("connection string's Passfile names a file that does not exist; expected the path of a PostgreSQL password file, or leave Passfile out");
        }

        return builder;
    }

    internal static bool IsUrl(string value) =>
        value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder ParseKeywords(string value)
    {
        // The generic builder splits the pairs (quoting rules included) without judging keywords,
        // so a wrong pair can be named by its keyword alone.
        var pairs = new DbConnectionStringBuilder();
        try
        {
            pairs.ConnectionString = value;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(
                $"connection string is not a list of Keyword=value pairs separated by ';' (quote a value that holds ';' or a quote); {Expected}", ex);
        }

        // The pairs come in the order they were written. After a password, a pair may be the rest
        // of a password that holds an unquoted ';' ("Password=ab;cd=ef"): its keyword is the
        // user's text, not a word of Npgsql's, and is not repeated.
        var builder = new NpgsqlConnectionStringBuilder();
        var afterSecret = false;
        foreach (string keyword in pairs.Keys)
        {
            var text = pairs[keyword] as string;
            try
            {
                builder[keyword] = text;
            }
            catch (ArgumentException ex) when (ex.InnerException is KeyNotFoundException)
            {
                // Npgsql's exception names the keyword, so it is kept for --verbose only before a password.
                throw afterSecret
                    ? new UsageException($"connection string has an unknown keyword after its password (not shown: it may be a piece of the password){QuoteHint}; {Expected}")
                    : new UsageException($"connection string has unknown keyword '{Printable(keyword)}'; {Expected}", ex);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                // The value is not shown, nor is Npgsql's exception (its message quotes the value)
                // kept for --verbose. The keyword is one of Npgsql's, so it may be named.
                throw new UsageException($"connection string has a bad value for '{keyword}'; expected {ExpectedValue(keyword)}{(afterSecret ? QuoteHint : "")}");
            }

            afterSecret |= SecretKeywords.IsSecret(keyword);
        }

        return builder;
    }

    private static NpgsqlConnectionStringBuilder ParseUrl(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];

        // The authority (user:password@hosts) ends at the first '/' or '?'. An '@' after that point
        // is the mark of a password holding an unencoded '/' or '?': the real user:password@ was cut
        // in two, and parts of the password would become host, port or database. Refuse it.
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        if (authorityEnd >= 0 && rest.IndexOf('@', authorityEnd) >= 0)
        {
            throw new UsageException(
                "connection URL has an '@' after its host part, as when a password holds an unencoded '/' or '?'; "
                + "percent-encode '/' as %2F, '?' as %3F and '@' as %40 in the password, database name and parameters");
        }

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
            builder.Username = Decode(colon >= 0 ? userInfo[..colon] : userInfo, "user name");
            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..], "password");
            }
        }

        SetHosts(builder, rest);
        if (path.Length > 0)
        {
            builder.Database = Decode(path, "database name");
        }

        // As in keyword strings: after ?password=, a parameter may be the rest of a password that
        // holds an unencoded '&' ("password=ab&cd=ef"), so an unknown name there is not repeated.
        var afterSecret = false;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq >= 0 ? pair[..eq] : pair, "parameters");
            var val = eq >= 0 ? Decode(pair[(eq + 1)..], "parameters") : "";
            if (!UrlQueryKeywords.TryGetValue(key, out var keyword))
            {
                var name = afterSecret
                    ? "after the password (not shown: it may be a piece of the password; percent-encode '&' as %26 in a password)"
                    : ParameterName().IsMatch(key) ? $"'{key}'" : "(a name that is not a word)";
                throw new UsageException($"connection URL has unknown parameter {name}; expected one of {string.Join(", ", UrlQueryKeywords.Keys)}");
            }

            try
            {
                builder[keyword] = keyword == "SSL Mode" ? NormaliseSslMode(val) : val;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                // Npgsql's exception quotes the value; it is not kept, so --verbose cannot print it.
                throw new UsageException($"connection URL has a bad value for '{key}'; expected {ExpectedValue(keyword)}");
            }

            afterSecret |= SecretKeywords.IsSecret(keyword);
        }

        return builder;
    }

    private static string NormaliseSslMode(string value) => value.ToLowerInvariant() switch
    {
        "disable" => "Disable",
        "allow" => "Allow",
        "prefer" => "Prefer",
        "require" => "Require",
        "verify-ca" => "VerifyCA",
        "verify-full" => "VerifyFull",
        _ => throw new UsageException("connection URL has a bad value for 'sslmode'; expected disable, allow, prefer, require, verify-ca or verify-full"),
    };

    private static string Decode(string value, string part)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException ex)
        {
            throw new UsageException($"connection URL has bad percent-encoding in its {part}", ex);
        }
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

        // A Unix-socket directory cannot stand in the authority part; libpq takes it as ?host=.
        var socketDirectory = builder.Host?.StartsWith('/') == true ? builder.Host : null;
        if (socketDirectory is not null)
        {
            text.Append(':').Append(builder.Port);
        }
        else if (builder.Host is { Length: > 0 } hosts && !TryCheckHosts(hosts, out _))
        {
            // Only a builder made elsewhere than Parse gets here; what is in its Host is not shown.
            text.Append("(an invalid host)");
        }
        else
        {
            text.Append(builder.Host);
            if (builder.Port != NpgsqlConnection.DefaultPort && builder.Host?.Contains(':', StringComparison.Ordinal) != true)
            {
                text.Append(':').Append(builder.Port);
            }
        }

        text.Append('/').Append(Uri.EscapeDataString(builder.Database ?? ""));
        if (socketDirectory is not null)
        {
            text.Append("?host=").Append(Uri.EscapeDataString(socketDirectory));
        }

        // A host given as "h Password=x" in a keyword string carries the password along.
        return SecretMasker.Redact(text.ToString());
    }
}
