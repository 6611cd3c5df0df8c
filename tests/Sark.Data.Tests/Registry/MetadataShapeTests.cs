using System.Text.Json.Nodes;
using Sark.Data.Errors;
using Sark.Data.Registry.Metadata;

namespace Sark.Data.Tests.Registry;

public sealed class MetadataShapeTests
{
    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\n  actual {actual}");

    [Theory]
    [InlineData("""{"transport": "stdio", "command": "npx", "args": ["-y", "@mcp/server-fs"], "env": {"HOME": "/srv"}, "mcp_version": "2025-06-18", "extra_metadata": {"team": "a"}, "tags": [1, "x"]}""")]
    [InlineData("""{"transport": "sse"}""")]
    [InlineData("""{}""")]
    public void Mcp_resource_metadata_round_trips_with_unknown_keys(string json)
    {
        var metadata = McpResourceMetadata.FromJson(json);
        AssertSameJson(json, metadata.ToJson());
    }

    [Fact]
    public void Typed_values_are_read_and_unknown_keys_kept_for_every_shape()
    {
        var mcp = McpResourceMetadata.FromJson("""{"transport": "stdio", "args": ["-y"], "owner": "team-1"}""");
        Assert.Equal(("stdio", "-y"), (mcp.Transport, mcp.Args![0]));
        Assert.Equal("team-1", mcp.Other!["owner"].GetString());

        const string Http = """{"base_url": "https://api.github.com", "openapi_spec": {"openapi": "3.1.0"}, "auth_type": "bearer", "rate": 5}""";
        var http = HttpResourceMetadata.FromJson(Http);
        Assert.Equal("3.1.0", http.OpenApiSpec!.Value.GetProperty("openapi").GetString());
        AssertSameJson(Http, http.ToJson());

        const string Grpc = """{"host": "payments.internal", "port": 443, "tls": true, "reflection": true, "services": ["acme.pay.v1.Payments"], "zone": null}""";
        var grpc = GrpcResourceMetadata.FromJson(Grpc);
        Assert.Equal((443, true), (grpc.Port, grpc.Tls));
        AssertSameJson(Grpc, grpc.ToJson());

        AssertSameJson("""{"requires_approval": true, "signature": "s", "extra_metadata": {"a": 1}}""",
            McpCapabilityMetadata.FromJson("""{"requires_approval": true, "signature": "s", "extra_metadata": {"a": 1}}""").ToJson());
        AssertSameJson("""{"method": "GET", "path": "/users/{user}/repos", "operation_id": "repos/list-for-user", "tags": ["repos"]}""",
            HttpCapabilityMetadata.FromJson("""{"method": "GET", "path": "/users/{user}/repos", "operation_id": "repos/list-for-user", "tags": ["repos"]}""").ToJson());
        AssertSameJson("""{"service": "acme.pay.v1.Payments", "method": "Charge", "streaming": "none", "deadline_ms": 500}""",
            GrpcCapabilityMetadata.FromJson("""{"service": "acme.pay.v1.Payments", "method": "Charge", "streaming": "none", "deadline_ms": 500}""").ToJson());
    }

    [Fact]
    public void Built_metadata_writes_only_the_keys_set()
    {
        AssertSameJson("""{"host": "h", "port": 50051}""", new GrpcResourceMetadata { Host = "h", Port = 50051 }.ToJson());
        AssertSameJson("""{"method": "POST", "path": "/x"}""", new HttpCapabilityMetadata { Method = "POST", Path = "/x" }.ToJson());
    }

    [Theory]
    [InlineData("""{"port": "443"}""", "$.port")]
    [InlineData("""{"services": "one"}""", "$.services")]
    public void A_value_of_the_wrong_type_is_a_usage_error_naming_its_key(string json, string path) =>
        Assert.Contains(path, Assert.Throws<UsageException>(() => GrpcResourceMetadata.FromJson(json)).Message);

    [Theory]
    [InlineData("[]")]
    [InlineData("not json")]
    public void Metadata_that_is_not_an_object_is_a_usage_error(string json) =>
        Assert.Throws<UsageException>(() => HttpResourceMetadata.FromJson(json));
}
