using Sark.Data.Errors;

namespace Sark.V1Import;

/// <summary>The <see cref="HostTerm"/>s of the v1 import's messages.</summary>
public static class ImportTerms
{
    /// <summary>Running the import: "fix the cause and run … again to resume".</summary>
    public static readonly HostTerm Execute = new("v1import.execute", "Importer.ExecuteAsync");

    /// <summary>The same, where the import is already the subject: "… row(s) not migrated; run …".</summary>
    public static readonly HostTerm ExecuteMode = new("v1import.execute-mode", "Importer.ExecuteAsync");
}
