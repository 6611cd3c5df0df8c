using System.ComponentModel;
using System.Reflection;
using Npgsql;

namespace Sark.Data.Connection;

/// <summary>
/// The connection-string keywords whose values are secrets, learnt from Npgsql itself rather than
/// from a list of our own: Npgsql accepts <c>Password</c>, <c>PSW</c> and <c>PWD</c> today, and a
/// synonym it adds later is masked without a change here.
/// </summary>
internal static class SecretKeywords
{
    private const string Probe = "sark-secret-probe";

    // Npgsql marks Password with [PasswordPropertyText(true)]. SSL Password (the passphrase of the
    // client key) carries no such mark, so every string setting named ...Password counts as well.
    private static readonly PropertyInfo[] SecretProperties = typeof(NpgsqlConnectionStringBuilder)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType == typeof(string) && p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0)
        .Where(p => p.GetCustomAttribute<PasswordPropertyTextAttribute>()?.Password == true
            || p.Name.EndsWith("Password", StringComparison.Ordinal))
        .ToArray();

    /// <summary>Every keyword Npgsql accepts for a secret setting, longest first (for regular expressions).</summary>
    public static IReadOnlyList<string> All { get; } = Discover();

    /// <summary>Whether Npgsql maps <paramref name="keyword"/> to a secret setting; asks Npgsql's own builder.</summary>
    public static bool IsSecret(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        var probe = new NpgsqlConnectionStringBuilder();
        try
        {
            probe[keyword] = Probe;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or NotSupportedException)
        {
            return false;
        }

        return SecretProperties.Any(p => Probe.Equals(p.GetValue(probe) as string, StringComparison.Ordinal));
    }

    /// <summary>The secret values a parsed connection holds (password, SSL key passphrase).</summary>
    public static IEnumerable<string> ValuesOf(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return SecretProperties.Select(p => p.GetValue(builder) as string).Where(v => !string.IsNullOrEmpty(v))!;
    }

    private static List<string> Discover()
    {
        // Candidates are each secret setting's property name and every string its attributes carry:
        // the display name ("SSL Password") and the synonyms Npgsql lists in its own, internal,
        // attribute. A candidate is kept only when the builder really takes it for a secret.
        var candidates = new List<string>();
        foreach (var property in SecretProperties)
        {
            candidates.Add(property.Name);
            foreach (var argument in property.GetCustomAttributesData().SelectMany(a => a.ConstructorArguments))
            {
                if (argument.Value is string text)
                {
                    candidates.Add(text);
                }
                else if (argument.Value is IEnumerable<CustomAttributeTypedArgument> items)
                {
                    candidates.AddRange(items.Select(i => i.Value).OfType<string>());
                }
            }
        }

        return candidates
            .Where(IsSecret)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(k => k.Length)
            .ToList();
    }
}
