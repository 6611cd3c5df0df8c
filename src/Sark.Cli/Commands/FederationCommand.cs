using System.CommandLine;
using Sark.Data.Errors;
using Sark.Data.Federation;

namespace Sark.Cli.Commands;

/// <summary><c>sark federation …</c>: the trusted peer nodes, through <see cref="FederationRegistry"/>.</summary>
internal static class FederationCommand
{
    private static readonly Option<string> NodeIdOption = new("--node-id") { Description = "The peer's own identifier (unique)", Required = true };
    private static readonly Option<string> Name = new("--name") { Description = "Display name of the node", Required = true };
    private static readonly Option<string> Endpoint = new("--endpoint") { Description = "The node's base URL (https)", Required = true };
    private static readonly Option<string> Cert = new Option<string>("--cert") { Description = "File holding the node's certificate (one X.509 certificate, PEM)", Required = true }
        .CheckedBy(text => CheckedOptions.NotBlank(text, "--cert", "a PEM certificate file"));
    private static readonly Option<int> RateLimit = new Option<int>("--rate-limit") { Description = "Requests per hour accepted from the node (default 10000)", DefaultValueFactory = _ => 10000 }
        .InRange(1, int.MaxValue);
    private static readonly Option<bool> AllowHttp = new("--allow-http") { Description = "Accept an http endpoint (unencrypted; test setups only)" };
    private static readonly Option<bool> EnabledOnly = new("--enabled-only") { Description = "List only enabled (trusted) nodes" };
    private static readonly Option<string?> Reason = new("--reason") { Description = "Why trust is revoked (kept in the audit event)" };
    private static readonly Argument<string> NodeId = new("NODE_ID") { Description = "The node's identifier" };

    public static Command Build()
    {
        var federation = new Command("federation", "Trusted federation nodes: add, list, show, enable, disable, verify, rotate") { GlobalOptions.Json };
        federation.Subcommands.Add(Add());
        federation.Subcommands.Add(List());
        federation.Subcommands.Add(Show());
        federation.Subcommands.Add(Enable());
        federation.Subcommands.Add(Disable());
        federation.Subcommands.Add(Verify());
        federation.Subcommands.Add(Rotate());
        foreach (var command in federation.Subcommands)
        {
            command.Validators.Add(CheckValues);
        }

        return federation;
    }

    // The library's own checks, run while the command line is parsed: a bad node id or endpoint is
    // a usage error before the embedded server starts or a connection opens.
    private static void CheckValues(System.CommandLine.Parsing.CommandResult result)
    {
        try
        {
            if (result.GetResult(NodeId) is not null && result.GetValue(NodeId) is { } nodeId)
            {
                FederationInput.NodeId(nodeId);
            }

            if (result.GetResult(NodeIdOption) is not null)
            {
                FederationInput.NodeId(result.GetValue(NodeIdOption), "--node-id");
            }

            if (result.GetResult(Name) is not null)
            {
                FederationInput.Name(result.GetValue(Name));
            }

            if (result.GetResult(Endpoint) is not null)
            {
                FederationInput.Endpoint(result.GetValue(Endpoint), result.GetValue(AllowHttp));
            }

            if (result.GetResult(Reason) is not null)
            {
                Sark.Data.Registry.RegistryValues.CheckStorableText(result.GetValue(Reason), "--reason", showValue: false);
            }
        }
        catch (UsageException ex)
        {
            result.AddError(Output.CliWording.Render(ex.Text));
        }
    }

    private static Command Add()
    {
        var command = new Command("add", "Register a node and trust its certificate") { NodeIdOption, Name, Endpoint, Cert, RateLimit, AllowHttp };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var pem = await ReadCertificateAsync(context.Get(Cert)!, cancellationToken);
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var node = await registry.RegisterAsync(
                new NodeRegistration
                {
                    NodeId = context.Get(NodeIdOption)!,
                    Name = context.Get(Name)!,
                    Endpoint = context.Get(Endpoint)!,
                    TrustAnchorPem = pem,
                    RateLimitPerHour = context.Get(RateLimit),
                    AllowInsecureEndpoint = context.Get(AllowHttp),
                },
                cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(FederationView.Json(node));
            }
            else
            {
                context.Output.Line($"registered federation node '{node.NodeId}': certificate {node.CertificateSubject}, SHA-256 {node.CertificateFingerprint}, valid until {FederationView.Time(node.CertificateNotAfter)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List registered nodes by node id") { EnabledOnly };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var nodes = new List<FederationNode>();
            string? cursor = null;
            do
            {
                var page = await registry.ListAsync(context.Get(EnabledOnly), 1000, cursor, cancellationToken);
                nodes.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            FederationView.WriteList(context, nodes);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show one node with its certificate") { NodeId };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var nodeId = context.ParseResult.GetValue(NodeId)!;
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var node = await registry.FindAsync(nodeId, cancellationToken)
                ?? throw new SarkException(SarkErrorKind.NotFound, $"federation node '{nodeId}' is not registered; see 'sark federation list'");
            FederationView.WriteNode(context, node);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Enable()
    {
        var command = new Command("enable", "Trust a disabled node again") { NodeId };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var nodeId = context.ParseResult.GetValue(NodeId)!;
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var changed = await registry.EnableAsync(nodeId, cancellationToken);
            WriteChange(context, nodeId, enabled: true, changed, changed ? "enabled (trusted again)" : "was already enabled; nothing changed");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Disable()
    {
        var command = new Command("disable", "Revoke trust in a node: its certificate no longer verifies, its requests are refused") { NodeId, Reason };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var nodeId = context.ParseResult.GetValue(NodeId)!;
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var changed = await registry.DisableAsync(nodeId, context.Get(Reason), cancellationToken);
            WriteChange(context, nodeId, enabled: false, changed, changed ? "disabled (trust revoked)" : "was already disabled; nothing changed");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify", $"Check a certificate against a node's trust anchor; exits {ExitCodes.Failure} when it is not trusted") { NodeId, Cert };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var nodeId = context.ParseResult.GetValue(NodeId)!;
            var pem = await ReadCertificateAsync(context.Get(Cert)!, cancellationToken);
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var result = await registry.VerifyAsync(nodeId, pem, cancellationToken);
            FederationView.WriteVerification(context, result);
            return result.IsTrusted ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Rotate()
    {
        var command = new Command("rotate", "Replace a node's certificate") { NodeId, Cert };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var nodeId = context.ParseResult.GetValue(NodeId)!;
            var pem = await ReadCertificateAsync(context.Get(Cert)!, cancellationToken);
            var registry = await context.GetAsync<FederationRegistry>(cancellationToken);
            var changed = await registry.RotateCertificateAsync(nodeId, pem, cancellationToken);
            var node = await registry.FindAsync(nodeId, cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new { node_id = nodeId, changed, fingerprint_sha256 = node?.CertificateFingerprint });
            }
            else
            {
                context.Output.Line(changed
                    ? $"federation node '{nodeId}' now trusts certificate {node?.CertificateSubject}, SHA-256 {node?.CertificateFingerprint}"
                    : $"federation node '{nodeId}' already trusts this certificate; nothing changed");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Read when the command runs, not while parsing: documented examples name files the docs check
    /// does not have, and must still parse. A file that cannot be read is a usage error naming it.
    /// </summary>
    private static Task<string> ReadCertificateAsync(string path, CancellationToken cancellationToken) =>
        CertificateFile.ReadAsync(path, cancellationToken);

    private static void WriteChange(CliContext context, string nodeId, bool enabled, bool changed, string what)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new { node_id = nodeId, enabled, changed });
        }
        else
        {
            context.Output.Line($"federation node '{nodeId}' {what}");
        }
    }
}
