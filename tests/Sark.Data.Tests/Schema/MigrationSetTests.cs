using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

public sealed class MigrationSetTests
{
    [Fact]
    public void Migrations_are_ordered_by_number_with_directives_read_from_the_header()
    {
        var set = MigrationSet.FromFiles(
        [
            ("002_b.up.sql", "-- sark:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);"),
            ("001_a.up.sql", "CREATE TABLE t (x int);"),
            ("002_b.down.sql", "DROP INDEX i;"),
            ("001_a.down.sql", "-- sark:destructive\n-- drops t\nDROP TABLE t;"),
        ]);

        Assert.Equal(["001_a", "002_b"], set.Migrations.Select(m => m.Id));
        Assert.Equal(2, set.Head);
        Assert.False(set[2].Up.Transactional);
        Assert.True(set[1].Up.Transactional);
        Assert.True(set[1].Down.Destructive);
        Assert.False(set[2].Down.Destructive);
    }

    [Fact]
    public void A_directive_below_the_first_statement_is_inert()
    {
        var set = MigrationSet.FromFiles([("001_a.up.sql", "SELECT 1;\n-- sark:no-transaction\n"), ("001_a.down.sql", "SELECT 1;")]);
        Assert.True(set[1].Up.Transactional);
    }

    [Fact]
    public void A_gap_in_the_numbers_is_refused_naming_the_file_after_it()
    {
        var error = Assert.Throws<MigrationException>(() => MigrationSet.FromFiles(
            [("001_a.up.sql", ""), ("001_a.down.sql", ""), ("003_c.up.sql", ""), ("003_c.down.sql", "")]));
        Assert.Contains("003_c.up.sql", error.Message);
        Assert.Contains("002 is missing", error.Message);
    }

    [Fact]
    public void A_duplicate_number_is_refused_naming_both_files()
    {
        var error = Assert.Throws<MigrationException>(() => MigrationSet.FromFiles(
            [("001_a.up.sql", ""), ("001_a.down.sql", ""), ("001_b.up.sql", ""), ("001_b.down.sql", "")]));
        Assert.Contains("001_a.up.sql", error.Message);
        Assert.Contains("001_b.up.sql", error.Message);
    }

    [Fact]
    public void A_missing_down_script_is_refused_naming_the_up_file()
    {
        var error = Assert.Throws<MigrationException>(() => MigrationSet.FromFiles([("001_a.up.sql", "")]));
        Assert.Contains("001_a.up.sql", error.Message);
        Assert.Contains("001_a.down.sql", error.Message);
    }

    [Fact]
    public void A_down_script_without_an_up_is_refused()
    {
        var error = Assert.Throws<MigrationException>(() => MigrationSet.FromFiles([("001_a.up.sql", ""), ("001_a.down.sql", ""), ("002_b.down.sql", "")]));
        Assert.Contains("002_b.down.sql", error.Message);
    }

    [Theory]
    [InlineData("1_a.up.sql")]
    [InlineData("001-a.up.sql")]
    [InlineData("001_A.up.sql")]
    [InlineData("001_a.sql")]
    [InlineData("000_a.up.sql")]
    public void A_misnamed_file_is_refused_naming_it(string fileName)
    {
        var error = Assert.Throws<MigrationException>(() => MigrationSet.FromFiles([(fileName, "")]));
        Assert.Contains(fileName, error.Message);
    }

    [Fact]
    public void A_folder_on_disk_loads_the_same_way()
    {
        using var folder = new MigrationFolder().Add(1, "a", "SELECT 1;", "SELECT 2;");
        folder.Write("002_b.up.sql", "SELECT 3;");
        var error = Assert.Throws<MigrationException>(folder.Load);
        Assert.Contains("002_b.up.sql", error.Message);
    }

    [Fact]
    public void Checksums_ignore_line_endings_but_not_content()
    {
        var lf = MigrationScript.Parse("001_a.up.sql", "CREATE TABLE t (x int);\nSELECT 1;\n");
        var crlf = MigrationScript.Parse("001_a.up.sql", "CREATE TABLE t (x int);\r\nSELECT 1;\r\n");
        var edited = MigrationScript.Parse("001_a.up.sql", "CREATE TABLE t (x bigint);\nSELECT 1;\n");
        Assert.Equal(lf.Checksum, crlf.Checksum);
        Assert.NotEqual(lf.Checksum, edited.Checksum);
        Assert.Matches("^[0-9a-f]{64}$", lf.Checksum);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("5", 5)]
    [InlineData("005", 5)]
    [InlineData("005_gateway_audit", 5)]
    [InlineData("7", 7)]
    public void Versions_parse_as_numbers_or_names(string text, int expected) =>
        Assert.Equal(expected, MigrationSet.Embedded.ParseVersion(text));

    [Theory]
    [InlineData("1000")] // file names have three digits, so no migration will ever be 1000
    [InlineData("999999999")]
    [InlineData("-1")]
    [InlineData("five")]
    [InlineData("005_policies")]
    [InlineData("")]
    public void Unknown_versions_are_usage_errors_naming_the_value(string text)
    {
        var error = Assert.Throws<UsageException>(() => MigrationSet.Embedded.ParseVersion(text));
        Assert.Contains($"'{text}'", error.Message);
        Assert.Equal(SarkErrorKind.Usage, error.Kind);
    }

    [Fact]
    public void The_version_after_the_head_is_unknown_whatever_the_head_is()
    {
        var next = (MigrationSet.Embedded.Head + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var error = Assert.Throws<UsageException>(() => MigrationSet.Embedded.ParseVersion(next));
        Assert.Contains($"'{next}'", error.Message);
    }

    [Fact]
    public void The_embedded_chain_keeps_the_original_revision_names_then_adds_ours()
    {
        Assert.Equal(
            ["001_initial", "002_api_keys", "003_policies", "004_audit_events", "005_gateway_audit", "006_protocol_adapters", "007_federation",
             "008_v1_import", "009_audit_event_indexes", "010_registry_and_federation", "011_audit_query_indexes",
             "012_cost_currency", "013_budgets_and_charges", "014_cost_rollups",
             "015_audit_events_partitioned", "016_charge_ids_and_windows"],
            MigrationSet.Embedded.Migrations.Select(m => m.Id));
        Assert.Equal(Enumerable.Range(1, MigrationSet.Embedded.Head), MigrationSet.Embedded.Migrations.Select(m => m.Version));
    }

    [Fact]
    public void Previous_checksum_directives_are_read_from_the_header_only()
    {
        var old = new string('a', 64);
        var older = new string('B', 64);
        var script = MigrationScript.Parse(
            "001_a.up.sql",
            $"-- sark:previous-checksum {old}\n-- SARK:PREVIOUS-CHECKSUM {older}\nCREATE TABLE t (x int);\n-- sark:previous-checksum {new string('c', 64)}\n");

        Assert.Equal([old, older.ToLowerInvariant()], script.PreviousChecksums);
    }

    [Theory]
    [InlineData("-- sark:previous-checksum")]
    [InlineData("-- sark:previous-checksum abc")]
    [InlineData("-- sark:previous-checksum d36a004288a57179c48f0fcf6d54fabf2f31b14bb67dd5145b4e773789769283 (old)")]
    [InlineData("-- sark:previous-checksumd36a004288a57179c48f0fcf6d54fabf2f31b14bb67dd5145b4e773789769283")]
    public void A_malformed_previous_checksum_is_refused_naming_the_file_and_the_line(string line)
    {
        var error = Assert.Throws<MigrationException>(() => MigrationScript.Parse("001_a.up.sql", $"{line}\nCREATE TABLE t (x int);"));
        Assert.Contains("'001_a.up.sql'", error.Message);
        Assert.Contains($"'{line}'", error.Message);
    }

    [Fact]
    public void A_previous_checksum_on_a_down_script_is_refused()
    {
        var error = Assert.Throws<MigrationException>(() =>
            MigrationScript.Parse("001_a.down.sql", $"-- sark:previous-checksum {new string('a', 64)}\nDROP TABLE t;"));
        Assert.Contains("'001_a.down.sql'", error.Message);
        Assert.Contains("only an up script", error.Message);
    }

    [Fact]
    public void The_shipped_007_accepts_databases_that_ran_its_first_contents()
    {
        var first = MigrationScript.Parse("007_federation.up.sql", Fixtures.Read("007_federation.before_009.up.sql"));
        var federation = MigrationSet.Embedded[7];

        Assert.NotEqual(first.Checksum, federation.Checksum);
        Assert.True(federation.Accepts(first.Checksum));
        Assert.False(federation.Accepts(new string('0', 64)));
    }
}
