using System.Text.RegularExpressions;
using Sark.Data.Schema;

namespace Sark.Cli.Tests.Docs;

/// <summary>
/// Every migration the docs mention exists in the embedded chain, and every statement of where the
/// chain ends names its real head. Read across README.md and docs/*.md, prose and examples alike.
/// </summary>
public sealed partial class MigrationNumbersTests
{
    /// <summary>Ids in the docs that are deliberately not migrations of the chain, each with why.</summary>
    private static readonly Dictionary<string, string> NotChainMigrations = new(StringComparer.Ordinal)
    {
        ["001_add_performance_indexes"] = "the v1 application's optional index script, not a sark migration",
        ["002_t_index"] = "a test migration in the example of a failed non-transactional migration",
        ["005_policies"] = "a wrong id, in the example of a refused --to",
        ["005_gateway_audit_events"] = "the non-existent revision the original's Alembic 006 pointed at",
        ["999_future"] = "a migration of a newer sark, in the example of a database newer than the binary",
    };

    private static readonly MigrationSet Chain = MigrationSet.Embedded;

    private static IEnumerable<DocLine> AllLines => MarkdownDoc.All.SelectMany(d => d.Lines);

    [Fact]
    public void Every_migration_id_in_the_docs_exists_with_that_name()
    {
        var failures = new List<string>();
        foreach (var line in AllLines)
        {
            foreach (Match id in MigrationId().Matches(line.Text))
            {
                var version = int.Parse(id.Groups[1].Value);
                var known = version >= 1 && version <= Chain.Head ? Chain[version].Id : null;
                if (known != id.Value && !NotChainMigrations.ContainsKey(id.Value))
                {
                    failures.Add(known is null
                        ? $"{line.Where}: {id.Value}: there is no migration {id.Groups[1].Value} (the chain ends at {Chain[Chain.Head].Id})"
                        : $"{line.Where}: {id.Value}: migration {id.Groups[1].Value} is {known}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} migration id(s) in the docs are wrong:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void Every_migration_number_and_version_in_the_docs_exists()
    {
        var failures = new List<string>();
        foreach (var line in AllLines)
        {
            foreach (var (number, what) in Numbers(line.Text))
            {
                if (number > Chain.Head)
                {
                    failures.Add($"{line.Where}: {what}: the chain ends at {Chain.Head:000}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} migration number(s) in the docs do not exist:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void Every_statement_of_the_chain_head_names_the_real_head()
    {
        var failures = new List<string>();
        foreach (var line in AllLines)
        {
            foreach (var pattern in new[] { HeadClaim(), ChainRange() })
            {
                foreach (Match claim in pattern.Matches(line.Text))
                {
                    if (int.Parse(claim.Groups["head"].Value) != Chain.Head)
                    {
                        failures.Add($"{line.Where}: '{claim.Value}' but the chain ends at {Chain[Chain.Head].Id}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} statement(s) of the newest version are stale:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void The_patterns_find_what_they_should()
    {
        // Guards the regular expressions: a pattern that matched nothing would pass vacuously.
        Assert.Equal([(7, "007"), (5, "version 5"), (8, "version 5 -> 8")], Numbers("007 adds; migrate: version 5 -> 8"));
        Assert.Empty(Numbers("PostgreSQL 15, 3,000 tools, number 000, SARK version 2.0, 2026-11-22 09:50:16"));
        Assert.Equal("9", HeadClaim().Match("this sark knows up to 9.").Groups["head"].Value);
        Assert.Equal("009", HeadClaim().Match("(it knows up to 009)").Groups["head"].Value);
        Assert.Equal("12", HeadClaim().Match("expected a number from 0 to 12").Groups["head"].Value);
        Assert.Equal("011", ChainRange().Match("migration chain (001–011)").Groups["head"].Value);
        Assert.Equal("008", HeadClaim().Match("the chain ends at 008 today").Groups["head"].Value);
        Assert.Equal("001_initial", MigrationId().Match("applied 001_initial in 5 ms").Value);
    }

    private static List<(int Number, string What)> Numbers(string text)
    {
        var found = new List<(int, string)>();
        foreach (Match m in ZeroPadded().Matches(text))
        {
            if (m.Value != "000")
            {
                found.Add((int.Parse(m.Value), m.Value));
            }
        }

        foreach (Match m in Version().Matches(text))
        {
            found.Add((int.Parse(m.Groups[1].Value), m.Groups[0].Value.Split(" -> ")[0]));
            if (m.Groups[2].Success)
            {
                found.Add((int.Parse(m.Groups[2].Value), m.Value));
            }
        }

        return found;
    }

    /// <summary>001_initial, 008_v1_import.up.sql; not NNN_name placeholders.</summary>
    [GeneratedRegex(@"(?<![\w.])(\d{3})_[a-z][a-z0-9_]*")]
    private static partial Regex MigrationId();

    /// <summary>A bare zero-padded migration number: 007, 001–008; not 3,000 or an id's 001_.</summary>
    [GeneratedRegex(@"(?<![\w.,:/-])0\d\d(?![\w.,:]|-\d)")]
    private static partial Regex ZeroPadded();

    /// <summary>"version 5", "version 3 -> 8" (schema versions; "version 2.0" of SARK is not one).</summary>
    [GeneratedRegex(@"(?<![\w.])version (\d+)(?![.\d])(?: -> (\d+))?")]
    private static partial Regex Version();

    /// <summary>What sark prints as its newest version, and prose saying where the chain ends.</summary>
    [GeneratedRegex(@"(knows up to|chain ends at|newest version is|expected a number from 0 to) (?<head>\d+)")]
    private static partial Regex HeadClaim();

    /// <summary>"chain 001–008", "chain (001–008)": the whole chain, so its end is the head.</summary>
    [GeneratedRegex(@"chain \(?001[–-](?<head>\d{3})")]
    private static partial Regex ChainRange();
}
