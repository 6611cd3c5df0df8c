using System.CommandLine;
using Sark.Data.Paging;
using Sark.Data.Registry;

namespace Sark.Cli.Commands;

/// <summary><c>sark resource …</c> and <c>sark capability list</c>: reading the registry.</summary>
internal static class RegistryCommand
{
    private static readonly Option<string?> Protocol = new Option<string?>("--protocol") { Description = "Only this protocol (a lower-case token: mcp, http, grpc, ...)" }
        .CheckedBy(text => RegistryValues.CheckProtocol(text, "--protocol"));

    private static readonly Option<SensitivityLevel?> Sensitivity = new Option<SensitivityLevel?>("--sensitivity") { Description = "Only this sensitivity: low, medium, high or critical" }
        .CheckedBy(text => RegistryValues.ParseSensitivity(text, "--sensitivity"));

    private static readonly Option<SensitivityLevel?> MinSensitivity = new Option<SensitivityLevel?>("--min-sensitivity")
    {
        Description = "Only capabilities at this level or above: low, medium, high or critical (default: high across resources, every level with --resource)",
    }.CheckedBy(text => RegistryValues.ParseSensitivity(text, "--min-sensitivity"));

    private static readonly Option<int> Limit = new Option<int>("--limit") { Description = $"Rows per page, 1 to {RegistryValues.MaxPageSize}", DefaultValueFactory = _ => 50 }
        .InRange(1, RegistryValues.MaxPageSize);

    private static readonly Option<string?> Cursor = new Option<string?>("--cursor") { Description = "Continue after the page that printed this cursor (same filters)" }
        .CheckedBy(text => CheckedOptions.NotBlank(text, "--cursor", "the cursor a previous page printed"));

    private static readonly Option<string> Metadata = new Option<string>("--metadata") { Description = "JSON object the metadata must contain, e.g. '{\"transport\":\"stdio\"}'", Required = true }
        .CheckedBy(text => RegistryValues.CheckJsonObject(text, "--metadata"));

    private static readonly Option<string?> ResourceId = new Option<string?>("--resource") { Description = "Only the capabilities of this resource (all of them, by name)" }
        .CheckedBy(text => RegistryValues.CheckText(text, "--resource", RegistryValues.MaxIdLength));

    private static readonly Argument<string> Id = new("id") { Description = "The resource's id" };

    /// <summary>The <c>resource</c> and <c>capability</c> command groups.</summary>
    public static IEnumerable<Command> Build()
    {
        var resource = new Command("resource", "Registered resources: list, show, search by metadata, statistics") { GlobalOptions.Json };
        resource.Subcommands.Add(ListResources());
        resource.Subcommands.Add(ShowResource());
        resource.Subcommands.Add(SearchResources());
        resource.Subcommands.Add(Statistics());
        var capability = new Command("capability", "Capabilities of registered resources") { GlobalOptions.Json };
        capability.Subcommands.Add(ListCapabilities());
        return [resource, capability];
    }

    private static Command ListResources()
    {
        var command = new Command("list", "List resources by id, optionally of one protocol and/or sensitivity") { Protocol, Sensitivity, Limit, Cursor };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var store = await context.GetAsync<ResourceStore>(cancellationToken);
            var page = await store.ListAsync(context.Get(Protocol), context.Get(Sensitivity), context.Get(Limit), context.Get(Cursor), cancellationToken);
            WriteResources(context, page);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SearchResources()
    {
        var command = new Command("search", "Resources whose metadata contains a JSON object (metadata @> JSON, through the GIN index)") { Metadata, Limit, Cursor };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var store = await context.GetAsync<ResourceStore>(cancellationToken);
            var page = await store.SearchByMetadataAsync(context.Get(Metadata)!, context.Get(Limit), context.Get(Cursor), cancellationToken);
            WriteResources(context, page);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ShowResource()
    {
        var command = new Command("show", "One resource with its metadata and capabilities; exit 1 when it does not exist") { Id };
        command.Validators.Add(result =>
        {
            if (result.GetValue(Id) is { } id)
            {
                try
                {
                    RegistryValues.CheckText(id, "resource id", RegistryValues.MaxIdLength);
                }
                catch (Sark.Data.Errors.UsageException ex)
                {
                    result.AddError(Output.CliWording.Render(ex.Text));
                }
            }
        });
        command.SetHandler(async (context, cancellationToken) =>
        {
            var store = await context.GetAsync<ResourceStore>(cancellationToken);
            var resource = await store.GetAsync(context.ParseResult.GetValue(Id)!, cancellationToken);
            var capabilities = await store.ListCapabilitiesAsync(resource.Id, cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new { resource = ResourceJson(resource), capabilities = capabilities.Select(CapabilityJson) });
                return ExitCodes.Success;
            }

            context.Output.Line($"{resource.Id}: {resource.Name}");
            context.Output.Line($"  protocol     {resource.Protocol}");
            context.Output.Line($"  endpoint     {resource.Endpoint}");
            context.Output.Line($"  sensitivity  {resource.Sensitivity.ToText()}");
            context.Output.Line($"  metadata     {resource.Metadata}");
            context.Output.Line($"  created      {Time(resource.CreatedAt)}, updated {Time(resource.UpdatedAt)}");
            context.Output.Line($"{capabilities.Count} capabilit{(capabilities.Count == 1 ? "y" : "ies")}:");
            context.Output.Table(["Name", "Sensitivity", "Id", "Description"],
                capabilities.Select(c => (IReadOnlyList<string>)[c.Name, c.Sensitivity.ToText(), c.Id, c.Description ?? ""]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Statistics()
    {
        var command = new Command("stats", "Resources and capabilities per protocol and sensitivity, with totals");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var statistics = await (await context.GetAsync<ResourceStore>(cancellationToken)).GetStatisticsAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new
                {
                    total_resources = statistics.TotalResources,
                    total_capabilities = statistics.TotalCapabilities,
                    protocols = statistics.ByProtocol.Select(p => new { protocol = p.Protocol, resources = p.Resources, capabilities = p.Capabilities }),
                    counts = statistics.Counts.Select(c => new { protocol = c.Protocol, sensitivity = c.Sensitivity.ToText(), resources = c.Resources, capabilities = c.Capabilities }),
                });
                return ExitCodes.Success;
            }

            context.Output.Table(["Protocol", "Sensitivity", "Resources", "Capabilities"],
                statistics.Counts.Select(c => (IReadOnlyList<string>)[c.Protocol, c.Sensitivity.ToText(), $"{c.Resources:N0}", $"{c.Capabilities:N0}"]));
            context.Output.Line($"Total: {statistics.TotalResources:N0} resource(s), {statistics.TotalCapabilities:N0} capabilit{(statistics.TotalCapabilities == 1 ? "y" : "ies")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCapabilities()
    {
        var command = new Command("list", "Capabilities at a minimum sensitivity across resources (paged by id), or every capability of one resource")
        {
            ResourceId, MinSensitivity, Protocol, Limit, Cursor,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(ResourceId) is not null
                && new Option[] { Protocol, Limit, Cursor }.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } other)
            {
                result.AddError($"{other.Name} cannot be combined with --resource, which lists every capability of one resource; leave it out");
            }
        });
        command.SetHandler(async (context, cancellationToken) =>
        {
            var store = await context.GetAsync<ResourceStore>(cancellationToken);
            if (context.Get(ResourceId) is { } resourceId)
            {
                var minimum = context.Get(MinSensitivity) ?? SensitivityLevel.Low;
                var capabilities = (await store.ListCapabilitiesAsync(resourceId, cancellationToken)).Where(c => c.Sensitivity >= minimum).ToList();
                WriteCapabilities(context, new Page<Capability>(capabilities, null));
                return ExitCodes.Success;
            }

            var page = await store.ListHighSensitivityCapabilitiesAsync(
                context.Get(MinSensitivity) ?? SensitivityLevel.High, context.Get(Protocol), context.Get(Limit), context.Get(Cursor), cancellationToken);
            WriteCapabilities(context, page);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteResources(CliContext context, Page<Resource> page)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new { items = page.Items.Select(ResourceJson), next_cursor = page.NextCursor });
            return;
        }

        context.Output.Table(["Id", "Name", "Protocol", "Sensitivity", "Endpoint"],
            page.Items.Select(r => (IReadOnlyList<string>)[r.Id, r.Name, r.Protocol, r.Sensitivity.ToText(), r.Endpoint]));
        NextPageHint(context, page);
    }

    private static void WriteCapabilities(CliContext context, Page<Capability> page)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new { items = page.Items.Select(CapabilityJson), next_cursor = page.NextCursor });
            return;
        }

        context.Output.Table(["Id", "Resource", "Protocol", "Name", "Sensitivity"],
            page.Items.Select(c => (IReadOnlyList<string>)[c.Id, c.ResourceId, c.Protocol, c.Name, c.Sensitivity.ToText()]));
        NextPageHint(context, page);
    }

    // On stderr, so stdout stays the table alone for a script that reads it.
    private static void NextPageHint<T>(CliContext context, Page<T> page)
    {
        if (page.NextCursor is { } cursor)
        {
            context.Output.Progress($"more rows: run the same command with --cursor {cursor} for the next page");
        }
    }

    private static object ResourceJson(Resource r) => new
    {
        id = r.Id, name = r.Name, protocol = r.Protocol, endpoint = r.Endpoint, sensitivity = r.Sensitivity.ToText(),
        metadata = System.Text.Json.JsonDocument.Parse(r.Metadata).RootElement, created_at = r.CreatedAt, updated_at = r.UpdatedAt,
    };

    private static object CapabilityJson(Capability c) => new
    {
        id = c.Id, resource_id = c.ResourceId, protocol = c.Protocol, name = c.Name, description = c.Description, sensitivity = c.Sensitivity.ToText(),
        input_schema = System.Text.Json.JsonDocument.Parse(c.InputSchema).RootElement,
        output_schema = System.Text.Json.JsonDocument.Parse(c.OutputSchema).RootElement,
        metadata = System.Text.Json.JsonDocument.Parse(c.Metadata).RootElement, created_at = c.CreatedAt, updated_at = c.UpdatedAt,
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
