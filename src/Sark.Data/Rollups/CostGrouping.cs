namespace Sark.Data.Rollups;

/// <summary>What a cost summary groups by (always also by currency).</summary>
public enum CostGrouping
{
    /// <summary>cost_tracking.principal_id.</summary>
    Principal,
    /// <summary>cost_tracking.resource_id.</summary>
    Resource,
    /// <summary>cost_tracking.capability_id.</summary>
    Capability,
    /// <summary>The protocol of the row's resource as registered now; 'unknown' when the resource is gone.</summary>
    Protocol,
}
