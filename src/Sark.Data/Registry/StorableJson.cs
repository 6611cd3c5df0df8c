using System.Text;
using System.Text.Json;

namespace Sark.Data.Registry;

/// <summary>
/// What valid JSON can still hold that PostgreSQL's jsonb refuses or changes, found before a
/// connection opens so it is a usage error naming the value rather than a database error: the
/// escape <c>\u0000</c> (text cannot hold NUL), an escaped lone surrogate (not a character), a
/// number outside <c>numeric</c>'s range, and a key given twice in one object (jsonb keeps the
/// last one and drops the others without a word).
/// </summary>
internal static class StorableJson
{
    // numeric's limits (PostgreSQL's numeric.c): at most 131072 digits before the decimal point
    // (weight 32767 in base-10000 digits), at most 16383 after it, and an exponent below INT_MAX / 2.
    private const long MaxDecimalWeight = 131071;
    private const long MaxDisplayScale = 16383;
    private const long MaxExponent = int.MaxValue / 2;

    /// <summary>Why <paramref name="json"/> (valid JSON) cannot be stored as given, or null when it can.</summary>
    public static string? Problem(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var keys = new Stack<HashSet<string>>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    keys.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.EndObject:
                    keys.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    if (TextProblem(ref reader, out var key) is { } keyProblem)
                    {
                        return keyProblem;
                    }

                    if (!keys.Peek().Add(key))
                    {
                        return $"has the key '{RegistryValues.Shorten(key)}' twice in one object (jsonb would keep only the last); expected each key once";
                    }

                    break;
                case JsonTokenType.String when TextProblem(ref reader, out _) is { } stringProblem:
                    return stringProblem;
                case JsonTokenType.Number when !NumericCanHold(reader.ValueSpan):
                    return $"holds the number '{RegistryValues.Shorten(Encoding.ASCII.GetString(reader.ValueSpan))}', which PostgreSQL's numeric cannot hold; expected at most 131072 digits before the decimal point and 16383 after it";
            }
        }

        return null;
    }

    private static string? TextProblem(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return @"holds a lone surrogate escape (a \ud800-\udfff not part of a pair), which is not a character; expected JSON strings of whole Unicode characters";
        }

        return text.Contains('\0', StringComparison.Ordinal)
            ? @"holds the escape \u0000, which PostgreSQL's jsonb cannot store (text cannot hold NUL); expected JSON without NUL characters"
            : null;
    }

    // The raw token is valid JSON: -? int (. frac)? ([eE] [+-]? exp)?
    private static bool NumericCanHold(ReadOnlySpan<byte> number)
    {
        var text = Encoding.ASCII.GetString(number).TrimStart('-');
        var e = text.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? text : text[..e];
        long exponent = 0;
        if (e >= 0)
        {
            var digits = text[(e + 1)..].TrimStart('+', '-').TrimStart('0');
            if (digits.Length > 12)
            {
                return false;
            }

            exponent = (digits.Length == 0 ? 0 : long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture)) * (text[e + 1] == '-' ? -1 : 1);
        }

        if (Math.Abs(exponent) >= MaxExponent)
        {
            return false;
        }

        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? mantissa.Length : point;
        var allDigits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        if (Math.Max(0, allDigits.Length - integerDigits - exponent) > MaxDisplayScale)
        {
            return false;
        }

        var firstSignificant = allDigits.AsSpan().IndexOfAnyExcept('0');
        return firstSignificant < 0 || integerDigits - 1 - firstSignificant + exponent <= MaxDecimalWeight;
    }
}
