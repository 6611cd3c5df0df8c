using System.ComponentModel;
using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace Sark.Data.Connection;

/// <summary>The parts of connection-string error messages: what to name, and what is expected.</summary>
public static partial class ConnectionStrings
{
    /// <summary>What Npgsql accepts for a keyword, from the type of the setting it maps to.</summary>
    private static string ExpectedValue(string keyword)
    {
        var property = typeof(NpgsqlConnectionStringBuilder).GetProperties().FirstOrDefault(p =>
            p.Name.Equals(keyword.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)
            || keyword.Equals(p.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName, StringComparison.OrdinalIgnoreCase));
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(int) => "a whole number",
            _ when type == typeof(bool) => "true or false",
            { IsEnum: true } => $"one of {string.Join(", ", Enum.GetNames(type))}",
            _ => $"a value Npgsql accepts for '{keyword}'",
        };
    }

    /// <summary>Added to errors in the pairs after a password, which may be pieces of it.</summary>
    private const string QuoteHint = "; a password that holds ';' must be in quotes";

    /// <summary>A keyword as typed, or a neutral word when it is not shaped like one.</summary>
    private static string Printable(string keyword) => KeywordShape().IsMatch(keyword) ? keyword : "(not a word)";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*$")]
    private static partial Regex SchemeName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ParameterName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9 _]*$")]
    private static partial Regex KeywordShape();

    /// <summary>Replaces the password in a URL or keyword string with <c>***</c>.</summary>
    public static string Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SecretMasker.MaskConnectionText(value);
    }

    /// <summary>The first line of a possibly multi-line message, for one-line errors.</summary>
    public static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? text[..newline] : text;
    }
}
