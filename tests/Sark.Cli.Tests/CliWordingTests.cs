using System.Reflection;
using Sark.Cli.Output;
using Sark.Data.Errors;
using Sark.V1Import;

namespace Sark.Cli.Tests;

/// <summary>The CLI words every host term of the libraries, and maps every error kind to one documented exit code.</summary>
public sealed class CliWordingTests
{
    // Every public term of the libraries: static fields and factories (given a version) alike.
    private static IEnumerable<HostTerm> LibraryTerms() =>
        new[] { typeof(SarkException).Assembly, typeof(Importer).Assembly, typeof(Sark.Local.LocalPostgres).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Static))
            .SelectMany(m => m switch
            {
                FieldInfo { FieldType: var type } field when type == typeof(HostTerm) => [(HostTerm)field.GetValue(null)!],
                MethodInfo { ReturnType: var type } method when type == typeof(HostTerm) =>
                    [(HostTerm)method.Invoke(null, method.GetParameters().Select(p => (object?)0).ToArray())!],
                _ => Array.Empty<HostTerm>(),
            });

    [Fact]
    public void Every_host_term_of_the_libraries_has_cli_words()
    {
        var terms = LibraryTerms().ToList();

        Assert.True(terms.Count >= 15, $"only {terms.Count} terms found");
        Assert.All(terms, t => Assert.Contains(t.Code, CliWording.Codes));
        Assert.Equal(terms.Select(t => t.Code).Distinct().Order(), CliWording.Codes.Order());
    }

    [Fact]
    public void A_message_prints_the_cli_words_of_its_terms_and_keeps_every_other_word()
    {
        var error = new UsageException($"the database is at version 9, above {Sark.Data.Schema.MigrationTerms.TargetVersion(7)}; use {Sark.Data.Schema.MigrationTerms.RollbackTo(7)} to go down");

        Assert.Equal("the database is at version 9, above --to 7; use 'sark db rollback --to 7' to go down", CliWording.Render(error.Text));
    }

    [Fact]
    public void Only_usage_and_unavailable_errors_have_codes_of_their_own()
    {
        foreach (var kind in Enum.GetValues<SarkErrorKind>())
        {
            var expected = kind switch
            {
                SarkErrorKind.Usage => 2,
                SarkErrorKind.Unavailable => 4,
                _ => 1,
            };
            Assert.True(ExitCodes.For(kind) == expected, $"{kind} exits {ExitCodes.For(kind)}");
        }
    }
}
