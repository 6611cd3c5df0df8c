using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Tests.Paging;

public sealed class PageCursorTests
{
    [Fact]
    public void A_cursor_gives_back_its_keys_for_its_scope()
    {
        var cursor = PageCursor.Encode("resources|protocol=mcp", "2026-11-30T10:00:00Z", "id with . and \" and é");
        Assert.Equal(["2026-11-30T10:00:00Z", "id with . and \" and é"], PageCursor.Decode(cursor, "resources|protocol=mcp", 2));
    }

    [Fact]
    public void A_cursor_from_other_filters_is_refused_as_usage()
    {
        var cursor = PageCursor.Encode("resources|protocol=mcp", "a");
        var error = Assert.Throws<UsageException>(() => PageCursor.Decode(cursor, "resources|protocol=http", 1));
        Assert.Contains("another listing or other filters", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    public void Garbage_is_refused_as_usage(string cursor)
    {
        var error = Assert.Throws<UsageException>(() => PageCursor.Decode(cursor, "s", 1));
        Assert.Contains("is not a cursor a page returned", error.Message);
    }

    [Fact]
    public void Every_single_character_change_is_refused()
    {
        var cursor = PageCursor.Encode("s", "key-1");
        for (var i = 0; i < cursor.Length; i++)
        {
            if (cursor[i] == '.')
            {
                continue;
            }

            var changed = cursor[..i] + (cursor[i] == 'A' ? 'B' : 'A') + cursor[(i + 1)..];
            Assert.Throws<UsageException>(() => PageCursor.Decode(changed, "s", 1));
        }
    }

    [Fact]
    public void A_cursor_with_another_number_of_keys_is_refused()
    {
        var cursor = PageCursor.Encode("s", "a", "b");
        Assert.Contains("is not a cursor a page returned", Assert.Throws<UsageException>(() => PageCursor.Decode(cursor, "s", 1)).Message);
    }

    [Fact]
    public void Another_listings_cursor_is_named_as_such_whatever_its_number_of_keys()
    {
        // An audit page's cursor (two keys) given to a resource listing (one key).
        var cursor = PageCursor.Encode("audit|type=", "2026-11-30T10:00:00Z", "id");
        Assert.Contains("belongs to another listing", Assert.Throws<UsageException>(() => PageCursor.Decode(cursor, "resources|protocol=", 1)).Message);
    }

    // The checksum is not a secret: a forged cursor's key must still never reach PostgreSQL as
    // text it cannot store (a database error, exit 1, instead of a usage error).
    [Fact]
    public void A_forged_cursor_whose_key_holds_a_NUL_is_refused()
    {
        var cursor = PageCursor.Encode("s", "a\0b");
        var error = Assert.Throws<UsageException>(() => PageCursor.Decode(cursor, "s", 1));
        Assert.Contains("is not a cursor a page returned", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(PageCursor.MaxPageSize + 1)]
    public void Page_sizes_out_of_range_are_refused(int limit)
    {
        var error = Assert.Throws<UsageException>(() => PageCursor.CheckLimit(limit));
        Assert.Contains($"limit {limit} is out of range", error.Message);
        Assert.Equal(PageCursor.MaxPageSize, PageCursor.CheckLimit(PageCursor.MaxPageSize));
    }
}
