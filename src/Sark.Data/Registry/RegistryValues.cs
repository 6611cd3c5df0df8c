using System.Text.Json;
using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Data.Registry;

/// <summary>
/// The registry's value rules, public so a host can check its input as it parses it (the CLI does,
/// at parse time) with the same messages <see cref="ResourceStore"/> gives. Every check throws
/// <see cref="UsageException"/> naming the value and what is expected.
/// </summary>
public static partial class RegistryValues
{
    /// <summary>Longest id or name (resources and capabilities: varchar(255)).</summary>
    public const int MaxIdLength = 255;

    /// <summary>Longest endpoint (varchar(1000)).</summary>
    public const int MaxEndpointLength = 1000;

    /// <summary>Longest protocol token (varchar(50)).</summary>
    public const int MaxProtocolLength = 50;

    /// <summary>The most rows a page of a registry listing may ask for.</summary>
    public const int MaxPageSize = Paging.PageCursor.MaxPageSize;

    /// <summary>The stored spellings, lowest first.</summary>
    public static IReadOnlyList<string> SensitivityNames { get; } = ["low", "medium", "high", "critical"];

    /// <summary>The stored, lower-case spelling of <paramref name="level"/>.</summary>
    public static string ToText(this SensitivityLevel level) => level switch
    {
        SensitivityLevel.Low => "low",
        SensitivityLevel.Medium => "medium",
        SensitivityLevel.High => "high",
        SensitivityLevel.Critical => "critical",
        _ => throw new UsageException($"sensitivity {(int)level} is not a sensitivity level; expected one of {string.Join(", ", SensitivityNames)}"),
    };

    /// <summary>
    /// A sensitivity as stored (<c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>, lower
    /// case: 'HIGH' and 'high' must never count apart).
    /// </summary>
    public static SensitivityLevel ParseSensitivity(string text, string name = "sensitivity") => text switch
    {
        "low" => SensitivityLevel.Low,
        "medium" => SensitivityLevel.Medium,
        "high" => SensitivityLevel.High,
        "critical" => SensitivityLevel.Critical,
        _ => throw new UsageException($"{name} '{Shorten(text)}' is not a sensitivity level; expected one of {string.Join(", ", SensitivityNames)} (lower case)"),
    };

    /// <summary>Checks that <paramref name="level"/> is one of the four levels.</summary>
    public static SensitivityLevel CheckSensitivity(SensitivityLevel level, string name = "sensitivity") =>
        Enum.IsDefined(level) ? level
            : throw new UsageException($"{name} {(int)level} is not a sensitivity level; expected one of {string.Join(", ", SensitivityNames)}");

    /// <summary>A protocol token: lower-case letter first, then lower-case letters, digits or '_', at most 50 characters.</summary>
    public static string CheckProtocol(string? text, string name = "protocol")
    {
        if (text is null || !ProtocolPattern().IsMatch(text) || text.Length > MaxProtocolLength)
        {
            throw new UsageException($"{name} '{Shorten(text)}' is not a protocol; expected a lower-case token such as mcp, http or grpc (a-z first, then a-z, 0-9 or _, at most {MaxProtocolLength} characters)");
        }

        return text;
    }

    /// <summary>A value that must not be empty or blank and fits <paramref name="maxLength"/> characters.</summary>
    public static string CheckText(string? text, string name, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UsageException($"{name} is {(text is null ? "missing" : "empty or blank")}; expected a non-blank value of at most {maxLength} characters");
        }

        CheckStorableText(text, name);
        var length = CharacterCount(text);
        return length <= maxLength ? text
            : throw new UsageException($"{name} '{Shorten(text)}' is {length} characters long; expected at most {maxLength}");
    }

    /// <summary>
    /// Text PostgreSQL can store: no NUL character (text columns cannot hold it) and no lone
    /// surrogate (it is not a character, and has no UTF-8 form). Null passes.
    /// <paramref name="showValue"/> false leaves the value out of the message (a long description).
    /// </summary>
    public static string? CheckStorableText(string? text, string name, bool showValue = true)
    {
        if (text is null)
        {
            return null;
        }

        var shown = showValue ? $" '{Shorten(text)}'" : "";
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new UsageException($"{name}{shown} holds a NUL character, which PostgreSQL cannot store in text; expected text without NUL");
        }

        return HasLoneSurrogate(text)
            ? throw new UsageException($"{name}{shown} holds a lone surrogate (half of a UTF-16 pair), which is not a character; expected whole Unicode characters")
            : text;
    }

    /// <summary>
    /// JSON text that must be an object (metadata, schemas, a containment filter); null means
    /// <c>{}</c>. Returns the text to store.
    /// </summary>
    public static string CheckJsonObject(string? json, string name)
    {
        if (json is null)
        {
            return "{}";
        }

        CheckStorableText(json, name);
        JsonValueKind kind;
        try
        {
            using var document = JsonDocument.Parse(json);
            kind = document.RootElement.ValueKind;
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{name} '{Shorten(json)}' is not valid JSON ({ex.Message.Split('.')[0]}); expected a JSON object such as {{\"transport\": \"stdio\"}}", ex);
        }

        if (kind != JsonValueKind.Object)
        {
            throw new UsageException($"{name} '{Shorten(json)}' is a JSON {kind.ToString().ToLowerInvariant()}; expected a JSON object such as {{\"transport\": \"stdio\"}}");
        }

        return StorableJson.Problem(json) is { } problem
            ? throw new UsageException($"{name} '{Shorten(json)}' {problem}")
            : json;
    }

    // varchar(n) counts characters (code points), not UTF-16 units: an emoji is one.
    private static int CharacterCount(string text) => text.Length - text.Count(char.IsLowSurrogate);

    internal static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A value as messages show it: control characters and lone surrogates escaped (a message
    /// stays one line and can be encoded), long values cut short (never inside a surrogate pair),
    /// enough to recognise them.
    /// </summary>
    internal static string Shorten(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var cut = text.Length <= 60 ? text.Length : char.IsHighSurrogate(text[56]) ? 56 : 57;
        var shown = new System.Text.StringBuilder(cut + 8);
        for (var i = 0; i < cut; i++)
        {
            var c = text[i];
            if (char.IsSurrogatePair(text, i))
            {
                shown.Append(c).Append(text[++i]);
                continue;
            }

            shown.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return cut < text.Length ? shown.Append("...").ToString() : shown.ToString();
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ProtocolPattern();
}
