using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// Refusals with the real binary: only a refusal signed by the vendor's certified key, for this installation and this
/// request, makes lh-agent drop its token; an unsigned, stripped or replayed one is treated like being offline.
/// </summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task RunOnce_RefusalsWithoutAValidSignedStatus_KeepTheTokenUntilTheSignedRevocationDropsIt()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        await using var proxy = await RefusalProxy.StartAsync(fixture.Server.GrpcUrl);
        var machine = Machine("unsigned-refusal");
        await machine.SucceedAsync("activate", key, "--server", proxy.Url, "--product", Product, "--product-version", "1.4.2");
        await machine.SucceedAsync("run", "--once");

        foreach (var mode in new[] { RefusalMode.PermissionDenied, RefusalMode.NotFound, RefusalMode.Unauthenticated, RefusalMode.AnswerRevoked })
        {
            proxy.Mode = mode;
            var refused = await machine.ExpectAsync(3, "run", "--once");

            Assert.Contains("without a signed status; treating as offline", refused.StdErr);
            await AssertStillLicensedAsync(machine, licenseId);
        }

        // A real revocation, with the server's signed status taken off on the way.
        await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "revoke", licenseId, "--yes");
        proxy.Mode = RefusalMode.StripSignedStatus;
        var stripped = await machine.ExpectAsync(3, "run", "--once");
        Assert.Contains("the server refused (REVOKED) without a signed status; treating as offline", stripped.StdErr);
        await AssertStillLicensedAsync(machine, licenseId);

        // The genuine signed refusal of that earlier request, answered to a later one.
        Assert.NotEmpty(proxy.LastRefusal!.Status);
        proxy.Mode = RefusalMode.ReplayLastRefusal;
        var replayed = await machine.ExpectAsync(3, "run", "--once");
        Assert.Contains("its signed status does not verify: its status answers another request (nonce mismatch): a replay; treating as offline", replayed.StdErr);
        await AssertStillLicensedAsync(machine, licenseId);

        // Passed on as signed, the revocation drops the token.
        proxy.Mode = RefusalMode.PassThrough;
        var revoked = await machine.ExpectAsync(1, "run", "--once");
        Assert.Contains("not licensed: the server answered REVOKED", revoked.StdErr);
        var check = await machine.ExpectAsync(1, "check");
        Assert.Contains("the server answered REVOKED", check.StdErr);
        Assert.False(machine.ReadState().ContainsKey("token"), "A signed revocation drops the token.");
    }

    [Fact]
    public async Task RunOnce_ReleasedInstallationSigned_StopsWithExitOneAndDropsToken()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        var machine = Machine("signed-release");
        await Activate(machine, key, fixture.Server);
        var installation = machine.ReadState()["installation_id"]!.GetValue<string>();

        await fixture.Lhctl.SucceedAsync(fixture.Flow.ResellerKey, "license", "release", licenseId, "--installation", installation);
        var released = await machine.ExpectAsync(1, "run", "--once");

        Assert.Contains("not licensed: the server answered INSTALLATION_RELEASED", released.StdErr);
        Assert.False(machine.ReadState().ContainsKey("token"));
    }

    [Fact]
    public async Task Run_DaemonGivenAnUnsignedRefusal_KeepsRunningAndKeepsTheToken()
    {
        var (licenseId, key) = await fixture.NewLicenseAsync();
        await using var proxy = await RefusalProxy.StartAsync(fixture.Server.GrpcUrl);
        var machine = Machine("unsigned-daemon");
        await machine.SucceedAsync("activate", key, "--server", proxy.Url, "--product", Product, "--product-version", "1.4.2");
        proxy.Mode = RefusalMode.Unauthenticated;

        using var daemon = machine.StartDaemon("--interval", "10");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var log = new List<string>();
            while (await daemon.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                log.Add(line);
                if (line.Contains("next attempt in", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.Contains(log, l => l.Contains("the server refused (UNAUTHENTICATED", StringComparison.Ordinal) && l.Contains("treating as offline", StringComparison.Ordinal));
            Assert.False(daemon.HasExited, "An unsigned refusal must not end the daemon.\n" + string.Join('\n', log));
            await AssertStillLicensedAsync(machine, licenseId);
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync();
        }
    }

    private static async Task AssertStillLicensedAsync(AgentMachine machine, string licenseId)
    {
        var check = await machine.SucceedAsync("check");
        Assert.StartsWith($"licensed: product {Product}, license {licenseId}", check.StdOut);
        Assert.True(machine.ReadState().ContainsKey("token"), "A refusal without a valid signed status keeps the token.");
    }
}
