using Sark.Data.Connection;

namespace Sark.Data.Tests.Connection;

public sealed class WorkingSchemaTests
{
    [Theory]
    [InlineData("\"$user\", public", "$user|public")]
    [InlineData("App ,  \"My, \"\"Schema\"\"\" ,pg_temp", "app|My, \"Schema\"|pg_temp")]
    [InlineData("", "")]
    public void A_search_path_is_read_as_postgresql_reads_it(string searchPath, string names) =>
        Assert.Equal(names, string.Join('|', WorkingSchema.SplitSearchPath(searchPath)));

    [Theory]
    [InlineData("public", "\"$user\", public", null)]
    [InlineData("sark", "\"$user\", public", null)]
    [InlineData("public", "public, pg_temp", null)]
    [InlineData("public", "pg_temp, public", "lists pg_temp")]
    [InlineData("pg_temp_3", "pg_temp, public", "lists pg_temp")]
    [InlineData(null, "PG_TEMP", "lists pg_temp")]
    [InlineData(null, "nope", "no current schema")]
    [InlineData("pg_catalog", "pg_catalog, public", "system schema")]
    [InlineData("information_schema", "information_schema", "system schema")]
    public void The_working_schema_is_refused_only_where_sark_must_not_work(string? current, string searchPath, string? problem)
    {
        var found = WorkingSchema.FindProblem(current, searchPath, "sark");
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }
}
