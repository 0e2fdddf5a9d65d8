using System.Text.Json;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// A client generated from the OpenAPI document the real server serves, with stock tools a billing system's
/// developer would use (openapi-typescript for the types, openapi-fetch for the calls, tsc to check them), buys,
/// assigns, renews and lists against that server (integrations/openapi-client/client.ts). A route or field the
/// document names wrongly fails the type check or the run.
/// </summary>
public sealed class OpenApiClientTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string ClientDirectory = Path.Combine(BuiltOutputs.RepositoryRoot, "integrations", "openapi-client");

    private async Task<ChildProcessResult> NodeAsync(string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(ClientDirectory, "node_modules", script);
        Assert.True(File.Exists(path), $"{script} is not installed: (cd {ClientDirectory} && npm ci)");
        return await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("node", ClientDirectory, environment ?? new Dictionary<string, string>(),
            [path, .. arguments]), TimeSpan.FromSeconds(180));
    }

    [Fact]
    public async Task AGeneratedTypeScriptClient_BuysAssignsRenewsAndLists()
    {
        var flow = await fixture.FlowAsync("tsclient");
        var generated = await NodeAsync(Path.Combine("openapi-typescript", "bin", "cli.js"),
            [fixture.Server.WebUrl.TrimEnd('/') + "/swagger/v1/swagger.json", "-o", Path.Combine("generated", "licensehub.ts")]);
        Assert.True(generated.ExitCode == 0 && !generated.TimedOut, $"openapi-typescript -> {generated.ExitCode}\n{generated.StdOut}\n{generated.StdErr}");

        var compiled = await NodeAsync(Path.Combine("typescript", "bin", "tsc"), ["-p", "."]);
        Assert.True(compiled.ExitCode == 0 && !compiled.TimedOut, $"tsc -> {compiled.ExitCode}\n{compiled.StdOut}\n{compiled.StdErr}");

        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("node", ClientDirectory, new Dictionary<string, string>
        {
            ["LH_URL"] = fixture.Server.WebUrl.TrimEnd('/'), ["LH_API_KEY"] = flow.ResellerKey, ["LH_PLAN_ID"] = flow.PlanId,
        }, [Path.Combine("build", "client.js")]), TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0 && !run.TimedOut, $"client.js -> {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");

        using var result = JsonDocument.Parse(run.StdOut.Trim());
        var root = result.RootElement;
        Assert.True(root.GetProperty("listed").GetBoolean());
        Assert.True(root.GetProperty("poolAvailable").GetInt32() >= 2, run.StdOut);
        Assert.True(DateTimeOffset.Parse(root.GetProperty("expiresAfter").GetString()!) > DateTimeOffset.Parse(root.GetProperty("expiresBefore").GetString()!));
        // One term of the flow's plan (19.99 EUR); int64 may come as a JSON string.
        Assert.Equal("1999", root.GetProperty("renewalAmountMinor").GetRawText().Trim('"'));
        Assert.True(root.GetProperty("totalSize").GetRawText().Trim('"') is var total && int.Parse(total) >= 1, run.StdOut);
    }
}
