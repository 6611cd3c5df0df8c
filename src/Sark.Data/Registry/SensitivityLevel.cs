namespace Sark.Data.Registry;

/// <summary>
/// How much harm calling a capability (or using a resource) can do; drives approval and audit
/// severity. Stored lower-case (<c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>); the
/// numeric order is the order of severity, so <c>level &gt;= SensitivityLevel.High</c> reads as meant.
/// </summary>
public enum SensitivityLevel
{
    /// <summary>Reads and listings.</summary>
    Low = 1,

    /// <summary>Changes data; also the level of anything the classifier cannot place.</summary>
    Medium = 2,

    /// <summary>Destroys data or runs with elevated rights.</summary>
    High = 3,

    /// <summary>Touches money, secrets, credentials or permissions.</summary>
    Critical = 4,
}
