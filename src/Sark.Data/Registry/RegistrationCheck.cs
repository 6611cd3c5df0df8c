using Sark.Data.Errors;

namespace Sark.Data.Registry;

/// <summary>A capability row ready to write: every value checked, defaults and the classifier applied.</summary>
internal sealed record CapabilityRow(
    string Id, string Name, string? Description, string InputSchema, string OutputSchema, string Sensitivity, string Metadata);

/// <summary>A registration with every value checked, before any connection is opened.</summary>
internal sealed record CheckedRegistration(
    string Id, string Name, string Protocol, string Endpoint, string Sensitivity, string Metadata, IReadOnlyList<CapabilityRow> Capabilities);

/// <summary>
/// Checks a <see cref="ResourceRegistration"/> whole before anything is written, so bad input is
/// one <see cref="UsageException"/> naming the value and nothing reaches the database.
/// </summary>
internal static class RegistrationCheck
{
    public static CheckedRegistration Check(ResourceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var id = RegistryValues.CheckText(registration.Id, "resource id", RegistryValues.MaxIdLength);
        var shown = RegistryValues.Shorten(id);
        var name = RegistryValues.CheckText(registration.Name, $"name of resource '{shown}'", RegistryValues.MaxIdLength);
        var protocol = RegistryValues.CheckProtocol(registration.Protocol, $"protocol of resource '{shown}'");
        var endpoint = RegistryValues.CheckText(registration.Endpoint, $"endpoint of resource '{shown}'", RegistryValues.MaxEndpointLength);
        var sensitivity = RegistryValues.CheckSensitivity(registration.Sensitivity, $"sensitivity of resource '{shown}'").ToText();
        var metadata = RegistryValues.CheckJsonObject(registration.Metadata, $"metadata of resource '{shown}'");
        if (registration.Capabilities is null)
        {
            throw new UsageException($"capabilities of resource '{shown}' are missing; expected a list (empty when the resource has none)");
        }

        var rows = new List<CapabilityRow>(registration.Capabilities.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var capability in registration.Capabilities)
        {
            var row = Check(id, shown, capability ?? throw new UsageException($"a capability of resource '{shown}' is null; expected a capability"));
            if (!names.Add(row.Name))
            {
                throw new UsageException($"capability name '{RegistryValues.Shorten(row.Name)}' appears more than once for resource '{shown}'; expected each name once (names are unique per resource)");
            }

            if (!ids.Add(row.Id))
            {
                throw new UsageException($"capability id '{RegistryValues.Shorten(row.Id)}' is given to more than one capability of resource '{shown}'; expected a distinct id each");
            }

            rows.Add(row);
        }

        return new CheckedRegistration(id, name, protocol, endpoint, sensitivity, metadata, rows);
    }

    private static CapabilityRow Check(string resourceId, string shownId, CapabilityRegistration capability)
    {
        var name = RegistryValues.CheckText(capability.Name, $"capability name of resource '{shownId}'", RegistryValues.MaxIdLength);
        var what = $"capability '{RegistryValues.Shorten(name)}' of resource '{shownId}'";
        string id;
        if (capability.Id is null)
        {
            id = $"{resourceId}:{name}";
            if (id.Length > RegistryValues.MaxIdLength)
            {
                throw new UsageException($"{what}: the default id '{RegistryValues.Shorten(id)}' ({{resource id}}:{{name}}) is {id.Length} characters long, over {RegistryValues.MaxIdLength}; give the capability an id of its own");
            }
        }
        else
        {
            id = RegistryValues.CheckText(capability.Id, $"id of {what}", RegistryValues.MaxIdLength);
        }

        RegistryValues.CheckStorableText(capability.Description, $"description of {what}", showValue: false);
        var input = RegistryValues.CheckJsonObject(capability.InputSchema, $"input schema of {what}");
        var output = RegistryValues.CheckJsonObject(capability.OutputSchema, $"output schema of {what}");
        var metadata = RegistryValues.CheckJsonObject(capability.Metadata, $"metadata of {what}");
        var level = capability.Sensitivity is { } given
            ? RegistryValues.CheckSensitivity(given, $"sensitivity of {what}")
            : SensitivityClassifier.Classify(name, capability.Description, input);
        return new CapabilityRow(id, name, capability.Description, input, output, level.ToText(), metadata);
    }
}
