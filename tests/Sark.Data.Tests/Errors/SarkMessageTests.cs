using System.Globalization;
using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Data.Tests.Errors;

/// <summary>Messages keep their host terms apart, so a host words them and the library still reads them.</summary>
public sealed class SarkMessageTests
{
    private static readonly HostTerm Flag = new("test.flag", "Options.Flag");

    private static string Host(HostTerm term) => term.Code == Flag.Code ? "--flag" : $"<{term.Code}>";

    [Fact]
    public void The_library_reads_its_own_words_and_a_host_reads_its_own()
    {
        SarkMessage message = $"choose a shorter {Flag}, then {MigrationTerms.RollbackTo(3)}";

        Assert.Equal("choose a shorter Options.Flag, then MigrationRunner.RollbackAsync(3)", message.ToString());
        Assert.Equal("choose a shorter --flag, then <schema.rollback-to>", message.Render(Host));
        Assert.Equal(3, message.Terms.Last().Value);
    }

    [Fact]
    public void A_message_inside_a_message_keeps_its_terms_and_a_term_a_host_does_not_know_keeps_the_library_words()
    {
        SarkMessage fix = $"give the real folder with {Flag}";
        SarkMessage message = $"too many links; {fix}";

        Assert.Equal([Flag], message.Terms);
        Assert.Equal("too many links; give the real folder with --flag", message.Render(Host));
        Assert.Equal("too many links; give the real folder with Options.Flag", message.Render(_ => null));
    }

    [Fact]
    public void Values_are_formatted_as_string_interpolation_formats_them()
    {
        var seconds = 2.25;
        var id = Guid.Parse("dd396623-3fb4-c6d0-e7df-d95f60c4f9ab");
        SarkMessage message = $"{seconds:0.#} s, {42,5}|{"left",-6}|{id} {DateTime.UnixEpoch:yyyy}";

        Assert.Equal(string.Create(CultureInfo.CurrentCulture, $"{seconds:0.#} s, {42,5}|{"left",-6}|{id} {DateTime.UnixEpoch:yyyy}"), message.ToString());
    }

    [Fact]
    public void Exceptions_keep_the_terms_of_an_interpolated_message_and_say_the_library_words()
    {
        var unclassified = new SarkException($"run {Flag} first");
        var usage = new UsageException($"above {MigrationTerms.TargetVersion(2)}");

        Assert.Equal(SarkErrorKind.Failed, unclassified.Kind);
        Assert.Equal("run Options.Flag first", unclassified.Message);
        Assert.Equal("run --flag first", unclassified.Text.Render(Host));
        Assert.Equal(SarkErrorKind.Usage, usage.Kind);
        Assert.Equal("above the target version 2", usage.Message);
        Assert.Equal(2, Assert.Single(usage.Text.Terms).Value);
    }

    [Fact]
    public void Json_gets_the_library_words_unless_the_host_brings_its_converter()
    {
        var report = new { summary = (SarkMessage)$"3 rows not migrated; run {Flag}" };

        Assert.Equal("""{"summary":"3 rows not migrated; run Options.Flag"}""", JsonSerializer.Serialize(report));
    }
}
