using Sark.Data.Schema;

namespace Sark.Data.Tests.Schema;

public sealed class SqlStatementSplitterTests
{
    [Fact]
    public void Statements_split_on_top_level_semicolons_only()
    {
        const string sql = """
            -- a comment; with a semicolon
            CREATE TABLE t (x text DEFAULT 'a;b');
            /* block; /* nested; */ still comment; */
            CREATE INDEX CONCURRENTLY "odd;name" ON t (x);
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT 'it''s; fine'
            """;

        var statements = SqlStatementSplitter.Split(sql);

        Assert.Equal(5, statements.Count);
        Assert.StartsWith("-- a comment; with a semicolon\nCREATE TABLE t", statements[0].ReplaceLineEndings("\n"));
        Assert.EndsWith("CREATE INDEX CONCURRENTLY \"odd;name\" ON t (x)", statements[1]);
        Assert.Equal("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$", statements[2]);
        Assert.Equal("DO $$ BEGIN PERFORM 1; END $$", statements[3]);
        Assert.Equal("SELECT 'it''s; fine'", statements[4]);
    }

    [Fact]
    public void Trailing_comments_and_empty_statements_are_not_statements()
    {
        Assert.Equal(["SELECT 1"], SqlStatementSplitter.Split("SELECT 1;;\n-- done\n"));
        Assert.Empty(SqlStatementSplitter.Split("-- only a comment\n/* and this */"));
    }

    [Fact]
    public void A_positional_parameter_is_not_a_dollar_quote()
    {
        Assert.Equal(["PREPARE p AS SELECT $1", "SELECT 2"], SqlStatementSplitter.Split("PREPARE p AS SELECT $1; SELECT 2;"));
    }
}
