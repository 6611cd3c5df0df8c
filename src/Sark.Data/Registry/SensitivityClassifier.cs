using System.Text;
using System.Text.Json;

namespace Sark.Data.Registry;

/// <summary>
/// Assigns a sensitivity to a capability that arrives without one (SPEC §5): the keyword lists
/// below, checked level by level from critical down to low, the first level with a match wins,
/// and medium when nothing matches. Matching is by whole words, never substrings ("monkey" is not
/// "key"): the name, the description and every parameter name are split into words at anything
/// that is not a letter or digit and at case changes (snake_case, kebab-case, camelCase,
/// PascalCase, "HTTPRequest" → http, request); a keyword also matches its plural ("list_keys" is
/// critical: it lists keys). Two-word keywords (credit_card, access_control)
/// match as consecutive words of one text, however they are joined.
/// </summary>
public static class SensitivityClassifier
{
    private static readonly (SensitivityLevel Level, string[][] Keywords)[] Levels =
    [
        (SensitivityLevel.Critical, Split("payment transaction credit_card password secret key token credential auth permission access_control encrypt decrypt")),
        (SensitivityLevel.High, Split("delete drop exec execute admin root sudo kill destroy remove purge truncate")),
        (SensitivityLevel.Medium, Split("write update modify change edit create insert save upload put post patch")),
        (SensitivityLevel.Low, Split("read get list fetch view show display query search find retrieve")),
    ];

    /// <summary>
    /// The level for a capability named <paramref name="name"/>, described by
    /// <paramref name="description"/>, whose arguments are described by the JSON Schema
    /// <paramref name="inputSchema"/> (parameter names are the keys of its <c>properties</c>, at
    /// any depth); text that is not JSON contributes no parameter names.
    /// </summary>
    public static SensitivityLevel Classify(string? name, string? description = null, string? inputSchema = null)
    {
        var texts = new List<string[]> { Words(name), Words(description) };
        texts.AddRange(ParameterNames(inputSchema).Select(Words));
        foreach (var (level, keywords) in Levels)
        {
            if (keywords.Any(keyword => texts.Any(words => Contains(words, keyword))))
            {
                return level;
            }
        }

        return SensitivityLevel.Medium;
    }

    /// <summary>
    /// <paramref name="text"/> as lower-case words: split at every character that is not a letter
    /// or digit, between a lower-case letter or digit and an upper-case letter ("deleteUser"),
    /// before the last capital of an upper-case run followed by lower case ("HTTPRequest"), and
    /// between letters and digits ("sha256").
    /// </summary>
    public static string[] Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(words, current);
                continue;
            }

            if (current.Length > 0 && StartsWord(text, i))
            {
                Flush(words, current);
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush(words, current);
        return [.. words];
    }

    private static bool StartsWord(string text, int i)
    {
        var previous = text[i - 1];
        var c = text[i];
        if (char.IsDigit(c) != char.IsDigit(previous))
        {
            return true;
        }

        if (!char.IsUpper(c))
        {
            return false;
        }

        // "deleteUser", "v2Api": a capital after lower case or a digit starts a word; in a run of
        // capitals, the last one starts a word when lower case follows ("HTTPRequest").
        return char.IsLower(previous)
            || (char.IsUpper(previous) && i + 1 < text.Length && char.IsLower(text[i + 1]));
    }

    private static void Flush(List<string> words, StringBuilder current)
    {
        if (current.Length > 0)
        {
            words.Add(current.ToString());
            current.Clear();
        }
    }

    private static bool Contains(string[] words, string[] keyword)
    {
        for (var start = 0; start + keyword.Length <= words.Length; start++)
        {
            if (keyword.Select((part, offset) => offset == keyword.Length - 1 ? IsForm(words[start + offset], part) : words[start + offset] == part).All(match => match))
            {
                return true;
            }
        }

        return false;
    }

    // The word itself or its plural ("list_keys" asks for keys, "patches" are patches); nothing
    // longer, so "monkey" is not "key" and "keyboard" is not either.
    private static bool IsForm(string word, string keyword) =>
        word.StartsWith(keyword, StringComparison.Ordinal) && word.AsSpan(keyword.Length) is "" or "s" or "es";

    private static List<string> ParameterNames(string? inputSchema)
    {
        if (string.IsNullOrWhiteSpace(inputSchema))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(inputSchema);
            var names = new List<string>();
            Collect(document.RootElement, names, depth: 0);
            return names;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    // Object properties and array items, nested as deep as a sane schema goes.
    private static void Collect(JsonElement schema, List<string> names, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > 32)
        {
            return;
        }

        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                names.Add(property.Name);
                Collect(property.Value, names, depth + 1);
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            Collect(items, names, depth + 1);
        }
    }

    private static string[][] Split(string keywords) =>
        [.. keywords.Split(' ').Select(keyword => keyword.Split('_'))];
}
