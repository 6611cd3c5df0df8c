using System.Text;

namespace Sark.Data.Schema;

/// <summary>
/// Splits a script into statements on top-level semicolons, honouring quotes, quoted identifiers,
/// dollar quoting and comments. Non-transactional migrations need it: PostgreSQL runs a
/// multi-statement string as one implicit transaction, where <c>CREATE INDEX CONCURRENTLY</c> is refused.
/// </summary>
internal static class SqlStatementSplitter
{
    public static IReadOnlyList<string> Split(string sql)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        var hasCode = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                current.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                i = CopyBlockComment(sql, i, current);
            }
            else if (c is '\'' or '"')
            {
                i = CopyQuoted(sql, i, c, current);
                hasCode = true;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + tag.Length;
                current.Append(sql, i, end - i);
                i = end;
                hasCode = true;
            }
            else if (c == ';')
            {
                AddStatement(statements, current, hasCode);
                hasCode = false;
                i++;
            }
            else
            {
                current.Append(c);
                hasCode |= !char.IsWhiteSpace(c);
                i++;
            }
        }

        AddStatement(statements, current, hasCode);
        return statements;
    }

    // A fragment of only comments and whitespace is not a statement.
    private static void AddStatement(List<string> statements, StringBuilder current, bool hasCode)
    {
        if (hasCode)
        {
            statements.Add(current.ToString().Trim());
        }

        current.Clear();
    }

    private static int CopyQuoted(string sql, int start, char quote, StringBuilder current)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                // A doubled quote is an escaped quote inside the literal.
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            i++;
        }

        current.Append(sql, start, i - start);
        return i;
    }

    private static int CopyBlockComment(string sql, int start, StringBuilder current)
    {
        // PostgreSQL block comments nest.
        var depth = 0;
        var i = start;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    break;
                }
            }
            else
            {
                i++;
            }
        }

        current.Append(sql, start, i - start);
        return i;
    }

    private static string? DollarTag(string sql, int start)
    {
        // $tag$ where tag is empty or an identifier; $1 (a parameter) is not a tag.
        var i = start + 1;
        while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_'))
        {
            i++;
        }

        if (i >= sql.Length || sql[i] != '$')
        {
            return null;
        }

        var tag = sql[start..(i + 1)];
        return tag.Length > 2 && char.IsDigit(tag[1]) ? null : tag;
    }
}
