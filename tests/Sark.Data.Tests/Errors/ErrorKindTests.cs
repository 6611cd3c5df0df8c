using System.Reflection;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Tests.Errors;

/// <summary>The SQLSTATE table of <see cref="PostgresErrors"/>, over every code Npgsql names.</summary>
public sealed class ErrorKindTests
{
    private static readonly string[] AllCodes = typeof(PostgresErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void Refused_data_and_conflicts_are_exactly_the_data_integrity_and_plpgsql_classes()
    {
        // The v1 importer splits a batch to find bad rows on these kinds; before the translator it
        // looked at SQLSTATE classes 22, 23 and P0, and must still pick exactly those.
        Assert.True(AllCodes.Length > 200, $"only {AllCodes.Length} codes found");
        foreach (var code in AllCodes)
        {
            var aboutData = PostgresErrors.KindOf(code) is SarkErrorKind.InvalidData or SarkErrorKind.Conflict;
            Assert.True(aboutData == code[..2] is "22" or "23" or "P0", $"{code} is {PostgresErrors.KindOf(code)}");
        }
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, SarkErrorKind.Conflict)]
    [InlineData(PostgresErrorCodes.ExclusionViolation, SarkErrorKind.Conflict)]
    [InlineData(PostgresErrorCodes.ForeignKeyViolation, SarkErrorKind.InvalidData)]
    [InlineData(PostgresErrorCodes.CheckViolation, SarkErrorKind.InvalidData)]
    [InlineData(PostgresErrorCodes.NotNullViolation, SarkErrorKind.InvalidData)]
    [InlineData(PostgresErrorCodes.StringDataRightTruncation, SarkErrorKind.InvalidData)]
    [InlineData(PostgresErrorCodes.RaiseException, SarkErrorKind.InvalidData)]
    [InlineData(PostgresErrorCodes.SerializationFailure, SarkErrorKind.Transient)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, SarkErrorKind.Transient)]
    [InlineData(PostgresErrorCodes.LockNotAvailable, SarkErrorKind.Timeout)]
    [InlineData(PostgresErrorCodes.QueryCanceled, SarkErrorKind.Timeout)]
    [InlineData(PostgresErrorCodes.UndefinedTable, SarkErrorKind.SchemaDrift)]
    [InlineData(PostgresErrorCodes.UndefinedColumn, SarkErrorKind.SchemaDrift)]
    [InlineData(PostgresErrorCodes.DuplicateTable, SarkErrorKind.SchemaDrift)]
    [InlineData(PostgresErrorCodes.InvalidPassword, SarkErrorKind.Unavailable)]
    [InlineData(PostgresErrorCodes.InvalidCatalogName, SarkErrorKind.Unavailable)]
    [InlineData(PostgresErrorCodes.TooManyConnections, SarkErrorKind.Unavailable)]
    [InlineData(PostgresErrorCodes.CannotConnectNow, SarkErrorKind.Unavailable)]
    [InlineData(PostgresErrorCodes.ConnectionFailure, SarkErrorKind.Unavailable)]
    [InlineData(PostgresErrorCodes.AdminShutdown, SarkErrorKind.Interrupted)]
    [InlineData(PostgresErrorCodes.CrashShutdown, SarkErrorKind.Interrupted)]
    [InlineData(PostgresErrorCodes.DiskFull, SarkErrorKind.LimitExceeded)]
    [InlineData(PostgresErrorCodes.TooManyColumns, SarkErrorKind.LimitExceeded)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, SarkErrorKind.PermissionDenied)]
    [InlineData(PostgresErrorCodes.SyntaxError, SarkErrorKind.Failed)]
    [InlineData(PostgresErrorCodes.InternalError, SarkErrorKind.Failed)]
    public void Each_sqlstate_has_its_kind(string sqlState, SarkErrorKind kind) =>
        Assert.Equal(kind, PostgresErrors.KindOf(sqlState));

    [Fact]
    public void No_sqlstate_is_a_usage_error_or_not_found()
    {
        // Those are the caller's input and a store's answer, never something the server decides.
        Assert.DoesNotContain(AllCodes, code => PostgresErrors.KindOf(code) is SarkErrorKind.Usage or SarkErrorKind.NotFound);
    }
}
