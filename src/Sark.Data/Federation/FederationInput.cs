using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Registry;

namespace Sark.Data.Federation;

/// <summary>
/// Checks of the registry's input, run before any connection opens so bad input writes nothing.
/// Limits are the federation_nodes column lengths.
/// </summary>
internal static class FederationInput
{
    public const int MaxNodeIdLength = 255;
    public const int MaxNameLength = 255;
    public const int MaxEndpointLength = 500;

    /// <summary>A node id: not blank, at most 255 characters, no surrounding blanks or control characters.</summary>
    public static string NodeId(string? nodeId, string name = "node id")
    {
        if (string.IsNullOrWhiteSpace(nodeId))
        {
            throw new UsageException($"{name} is empty; expected the federation node's identifier");
        }

        RegistryValues.CheckStorableText(nodeId, name, showValue: false);
        if (nodeId.Length > MaxNodeIdLength)
        {
            throw new UsageException($"{name} is {nodeId.Length} characters long; expected at most {MaxNodeIdLength}");
        }

        // Node ids are shown in messages, tables and audit events: no hidden characters in them.
        if (nodeId.Trim() != nodeId || nodeId.Any(char.IsControl))
        {
            throw new UsageException($"{name} '{Printable(nodeId)}' has surrounding blanks or control characters; expected a plain identifier");
        }

        return nodeId;
    }

    public static string Name(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new UsageException("node name is empty; expected a display name for the federation node");
        }

        RegistryValues.CheckStorableText(name, "node name", showValue: false);
        return name.Length <= MaxNameLength ? name
            : throw new UsageException($"node name is {name.Length} characters long; expected at most {MaxNameLength}");
    }

    /// <summary>An absolute https URL (http only when <paramref name="allowInsecure"/>), without credentials.</summary>
    public static string Endpoint(string? endpoint, bool allowInsecure)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw new UsageException("endpoint is empty; expected the node's base URL, such as https://node.example.org");
        }

        RegistryValues.CheckStorableText(endpoint, "endpoint", showValue: false);
        if (endpoint.Length > MaxEndpointLength)
        {
            throw new UsageException($"endpoint is {endpoint.Length} characters long; expected a URL of at most {MaxEndpointLength}");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || endpoint.Trim() != endpoint)
        {
            throw new UsageException($"endpoint '{Printable(endpoint)}' is not an absolute URL; expected the node's base URL, such as https://node.example.org");
        }

        // The URL is stored and shown in listings: a password in it would leak there.
        if (uri.UserInfo.Length > 0)
        {
            throw new UsageException("endpoint holds user information (not repeated here: it may be a password); give the URL without it");
        }

        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && allowInsecure))
        {
            return endpoint;
        }

        throw new UsageException(uri.Scheme == Uri.UriSchemeHttp
            ? $"endpoint '{endpoint}' is not https; federation traffic must be encrypted (allow http explicitly only for a test setup)"
            : $"endpoint '{Printable(endpoint)}' has scheme '{uri.Scheme}'; expected an https URL");
    }

    public static int RateLimit(int perHour) =>
        perHour > 0 ? perHour
            : throw new UsageException($"rate limit {perHour} is not valid; expected a number of requests per hour of at least 1");

    /// <summary>Metadata as JSON object text; null or empty means {}.</summary>
    public static string Metadata(string? metadata)
    {
        if (string.IsNullOrWhiteSpace(metadata))
        {
            return "{}";
        }

        RegistryValues.CheckStorableText(metadata, "metadata", showValue: false);
        try
        {
            using var document = JsonDocument.Parse(metadata);
            if (document.RootElement.ValueKind == JsonValueKind.Object && StorableJson.Problem(metadata) is { } problem)
            {
                throw new UsageException($"metadata {problem}");
            }

            return document.RootElement.ValueKind == JsonValueKind.Object ? metadata
                : throw new UsageException($"metadata is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; expected a JSON object such as {{\"region\":\"eu\"}}");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"metadata is not valid JSON ({ex.Message.Split('.')[0]}); expected a JSON object such as {{\"region\":\"eu\"}}", ex);
        }
    }

    /// <summary>Up to 60 characters, control characters shown as '?', so a message stays one line.</summary>
    public static string Printable(string text)
    {
        var shown = text.Length <= 60 ? text : $"{text[..57]}...";
        return new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]);
    }
}
