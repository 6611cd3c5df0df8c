namespace Sark.Data.Tests.Schema;

/// <summary>
/// Earlier contents of shipped migrations, kept byte for byte (a changed byte changes the checksum),
/// so tests can build a database the way an older sark did.
/// </summary>
internal static class Fixtures
{
    public static string Read(string fileName)
    {
        var assembly = typeof(Fixtures).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Sark.Data.Tests.Fixtures.{fileName}")
            ?? throw new InvalidOperationException($"test fixture '{fileName}' is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
