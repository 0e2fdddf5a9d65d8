using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// The OpenAPI document as the real server serves it passes Redocly's recommended rules without an error
/// (operationIds, summaries, servers, 4xx responses). Redocly CLI is pinned in integrations/openapi-client
/// (<c>npm ci</c> there, tests/setup/40-verifiers.sh).
/// </summary>
public sealed class OpenApiLintTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string ClientDirectory = Path.Combine(BuiltOutputs.RepositoryRoot, "integrations", "openapi-client");

    [Fact]
    public async Task OpenApi_Document_PassesRedoclyRecommendedLint()
    {
        var cli = Path.Combine(ClientDirectory, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"Redocly CLI is not installed: (cd {ClientDirectory} && npm ci)");
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Server.WebUrl) };
        var document = await http.GetStringAsync("/swagger/v1/swagger.json");
        Assert.Contains($"\"url\": \"{fixture.Server.WebUrl.TrimEnd('/')}\"", document);
        var path = fixture.Work.Combine("openapi.json");
        await File.WriteAllTextAsync(path, document);

        var run = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("node", ClientDirectory,
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
            [cli, "lint", path, "--format=summary"]), TimeSpan.FromSeconds(120));

        Assert.True(run.ExitCode == 0 && !run.TimedOut, $"redocly lint -> {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.DoesNotContain("error ", run.StdOut + run.StdErr);
    }
}
