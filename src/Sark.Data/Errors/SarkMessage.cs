using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Serialization;

namespace Sark.Data.Errors;

/// <summary>
/// A message that keeps its <see cref="HostTerm"/>s apart, so that each host can word them its own
/// way (<see cref="Render"/>); <see cref="ToString"/> is the library's wording. Written as an
/// interpolated string, <c>$"choose a shorter {LocalPostgresOptions.HomeDirectoryTerm}"</c>; every other value
/// is formatted as string interpolation formats it. A plain string converts to a message without terms.
/// </summary>
[InterpolatedStringHandler]
[JsonConverter(typeof(SarkMessageJsonConverter))]
public sealed class SarkMessage
{
    // Each part is a string or a HostTerm.
    private readonly List<object> parts;

    /// <summary>Called by the compiler for an interpolated string; not meant to be called directly.</summary>
    public SarkMessage(int literalLength, int formattedCount) => parts = new List<object>((2 * formattedCount) + 1);

    private SarkMessage(string text) => parts = [text];

    /// <summary>The host terms in the message, in order.</summary>
    public IEnumerable<HostTerm> Terms => parts.OfType<HostTerm>();

    /// <summary>A message without host terms.</summary>
    public static implicit operator SarkMessage(string text) => FromString(text);

    /// <summary>A message without host terms (the named form of the implicit conversion).</summary>
    public static SarkMessage FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new SarkMessage(text);
    }

    /// <summary>Called by the compiler for the literal parts of an interpolated string.</summary>
    public void AppendLiteral(string value) => parts.Add(value);

    /// <summary>Keeps a host term apart, so that a host can word it its own way.</summary>
    public void AppendFormatted(HostTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        parts.Add(term);
    }

    /// <summary>A message inside a message keeps its terms.</summary>
    public void AppendFormatted(SarkMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        parts.AddRange(message.parts);
    }

    /// <summary>Appends a string value as is (null as empty).</summary>
    public void AppendFormatted(string? value) => parts.Add(value ?? "");

    /// <summary>Appends a value as string interpolation formats it.</summary>
    public void AppendFormatted<T>(T value) => AppendFormatted(value, 0, null);

    /// <summary>Appends a value with a format (<c>{version:D3}</c>).</summary>
    public void AppendFormatted<T>(T value, string? format) => AppendFormatted(value, 0, format);

    /// <summary>Appends a value padded to an alignment (<c>{name,-20}</c>).</summary>
    public void AppendFormatted<T>(T value, int alignment) => AppendFormatted(value, alignment, null);

    /// <summary>Appends a value with an alignment and a format.</summary>
    public void AppendFormatted<T>(T value, int alignment, string? format)
    {
        var text = value is IFormattable formattable ? formattable.ToString(format, null) : value?.ToString() ?? "";
        parts.Add(alignment < 0 ? text.PadRight(-alignment) : text.PadLeft(alignment));
    }

    /// <summary>
    /// The message with each term in the host's words; a term <paramref name="wording"/> returns
    /// null for keeps the library's.
    /// </summary>
    public string Render(Func<HostTerm, string?> wording)
    {
        ArgumentNullException.ThrowIfNull(wording);
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part is HostTerm term ? wording(term) ?? term.Text : (string)part);
        }

        return text.ToString();
    }

    /// <summary>The message in the library's words: each term as its <see cref="HostTerm.Text"/>.</summary>
    public override string ToString() => Render(_ => null);
}
