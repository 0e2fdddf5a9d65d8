using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LicenseHub.Tests.Agents;

/// <summary>
/// The end user's right to be forgotten and the vendor's right to be paid, both at once: "lh-agent forget" erases
/// the machine's data, but its seat stays taken until the reseller releases it within the transfer budget.
/// </summary>
public sealed class SeatAccountingTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly LicenseHubFactory _factory;
    private string _lastOwnerKey = "";

    public SeatAccountingTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private static ActivateRequest Activation(string key, string machine) => new()
    {
        LicenseKey = key, Fingerprint = Fingerprint(machine), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
    };

    private async Task<(ResellerService.ResellerServiceClient Client, string Key, string LicenseId)> LicenseAsync(int transferBudget,
        bool? restoreOnRenewal = null, int poolSize = 1)
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines: 1, transferBudget: transferBudget);
        if (restoreOnRenewal is { } restore)
        {
            // A second plan of the same product with the setting under test.
            var vendor = _factory.Vendor();
            var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
            {
                ProductId = scenario.ProductId, Code = "pro-kept", Edition = "pro", TermDays = 365, MaxMachines = 1, OfflineGraceDays = 7,
                Price = new Money { AmountMinor = 1999, Currency = "EUR" }, TransferBudget = transferBudget, RestoreTransfersOnRenewal = restore,
            });
            Assert.Equal(restore, plan.RestoreTransfersOnRenewal);
            typeof(Scenario).GetProperty(nameof(Scenario.Plan))!.SetValue(scenario, plan);
        }
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, poolSize);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        _lastOwnerKey = reseller.OwnerKey;
        return (_factory.Reseller(reseller.OwnerKey), assigned.Licenses[0].LicenseKey, assigned.Licenses[0].License.Id);
    }

    private async Task ForgetAsync(ActivateResponse activation)
    {
        var forgotten = await Agent.DeactivateAsync(new DeactivateRequest { InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret });
        Assert.True(forgotten.Deleted);
    }

    [Fact]
    public async Task Forget_ErasesTheMachineButKeepsItsSeat_UntilTheResellerReleasesIt()
    {
        var (client, key, licenseId) = await LicenseAsync(transferBudget: 1);
        var first = await Agent.ActivateAsync(Activation(key, "machine-1"));
        Assert.Equal(ValidationCode.Valid, first.Code);

        await ForgetAsync(first);

        // Nothing of the machine is left: no installation, no check-in, no fingerprint anywhere.
        Assert.Equal(0, _factory.WithDb(db => db.Installations.Count() + db.CheckIns.Count()));
        var seat = _factory.WithDb(db => db.ForgottenSeats.Single());
        Assert.Equal(Guid.Parse(licenseId), seat.LicenseId);
        Assert.NotEqual(Guid.Parse(first.InstallationId), seat.Id);
        // ... but the seat is still taken: another machine is refused.
        Assert.Equal(ValidationCode.TooManyMachines, (await Agent.ActivateAsync(Activation(key, "machine-2"))).Code);

        var detail = await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        Assert.Empty(detail.Installations);
        Assert.Equal(seat.Id.ToString(), Assert.Single(detail.ForgottenSeats).Id);
        Assert.Equal(1, detail.License.ForgottenSeats);
        Assert.Equal(0, detail.License.Installations);

        var released = await client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = seat.Id.ToString() });
        Assert.Equal(1, released.TransfersUsed);
        Assert.Equal(0, released.ForgottenSeats);
        Assert.Equal(ValidationCode.Valid, (await Agent.ActivateAsync(Activation(key, "machine-2"))).Code);
    }

    [Fact]
    public async Task ForgetThenActivateLoop_StopsAtTheTransferBudget_AndARenewalRestoresIt()
    {
        var (client, key, licenseId) = await LicenseAsync(transferBudget: 2);
        var machines = 0;
        var activation = await Agent.ActivateAsync(Activation(key, $"machine-{machines++}"));
        for (var attempt = 0; attempt < 6; attempt++)
        {
            await ForgetAsync(activation);
            var seat = (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).ForgottenSeats.Single();
            try
            {
                await client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = seat.Id });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                Assert.Contains("transfer budget", e.Status.Detail);
                Assert.Contains("renewal restores it", e.Status.Detail);
                break;
            }
            activation = await Agent.ActivateAsync(Activation(key, $"machine-{machines++}"));
            Assert.Equal(ValidationCode.Valid, activation.Code);
        }

        // Machine 0 and the two the budget paid for: the loop stopped there, and the next machine is refused.
        Assert.Equal(3, machines);
        Assert.Equal(ValidationCode.TooManyMachines, (await Agent.ActivateAsync(Activation(key, "machine-next"))).Code);
        Assert.Equal(2, (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).License.TransfersUsed);

        // A paid renewal gives the budget back (the plan's default).
        var renewal = await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = licenseId, Terms = 1, IdempotencyKey = "renew-after-budget" });
        Assert.Equal(OrderKind.Renewal, renewal.Order.Kind);
        Assert.True(renewal.Order.Amount.AmountMinor > 0);
        Assert.Equal(0, (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).License.TransfersUsed);
        var seatLeft = (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).ForgottenSeats.Single();
        await client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = seatLeft.Id });
        Assert.Equal(ValidationCode.Valid, (await Agent.ActivateAsync(Activation(key, "machine-next"))).Code);
    }

    [Fact]
    public async Task Renewal_OnAPlanThatKeepsTheBudget_LeavesItSpent_AndOnlyTheVendorRestoresIt()
    {
        var (client, key, licenseId) = await LicenseAsync(transferBudget: 1, restoreOnRenewal: false);
        var resellerKey = _lastOwnerKey;
        var first = await Agent.ActivateAsync(Activation(key, "machine-1"));
        await client.ReleaseInstallationAsync(new ReleaseInstallationRequest { LicenseId = licenseId, InstallationId = first.InstallationId });

        await client.RenewLicenseAsync(new RenewLicenseRequest { LicenseId = licenseId, Terms = 1, IdempotencyKey = "renew-kept-budget" });
        Assert.Equal(1, (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).License.TransfersUsed);

        // The reseller's own key cannot restore it; the vendor can, through VendorService, audited as the vendor.
        await RpcAssert.Fails(StatusCode.PermissionDenied,
            () => _factory.Vendor(resellerKey).RestoreTransfersAsync(new VendorLicenseRequest { LicenseId = licenseId }).ResponseAsync);
        var restored = await _factory.Vendor().RestoreTransfersAsync(new VendorLicenseRequest { LicenseId = licenseId });
        Assert.Equal(0, restored.TransfersUsed);
        var audit = _factory.WithDb(db => db.AuditEvents.AsNoTracking().Single(e => e.Action == "license.restore_transfers"));
        Assert.NotEqual("agent", audit.ActorId);
        Assert.Contains("reseller=", audit.Details);
    }

    [Fact]
    public async Task VendorKey_OnResellerService_IsRefusedAndPointedToVendorService()
    {
        var (_, _, licenseId) = await LicenseAsync(transferBudget: 1);
        var vendorKey = _factory.VendorKey;

        var refused = await RpcAssert.Fails(StatusCode.PermissionDenied,
            () => _factory.Reseller(vendorKey).SuspendLicenseAsync(new LicenseActionRequest { LicenseId = licenseId }).ResponseAsync);
        Assert.Contains("VendorService", refused.Status.Detail);
        Assert.Contains("RestoreTransfers", refused.Status.Detail);

        var suspended = await _factory.Vendor().SuspendLicenseAsync(new VendorLicenseRequest { LicenseId = licenseId });
        Assert.Equal(LicenseState.Suspended, suspended.State);
        var audit = _factory.WithDb(db => db.AuditEvents.AsNoTracking().Single(e => e.Action == "license.suspend"));
        Assert.Contains($"reseller={suspended.ResellerId}", audit.Details);
    }

    [Fact]
    public async Task Retention_KeepsAnOfflineFilesSeatWhileTheFileIsValid_AndReleasesSilentOnlineMachines()
    {
        var (client, _, licenseId) = await LicenseAsync(transferBudget: 0, poolSize: 2);
        // A second license for the online machine: the plan allows one machine per license.
        var online = await client.AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = (await client.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId })).License.PoolId, Count = 1,
        });
        var request = Base64Url.Encode(Encoding.UTF8.GetBytes(
            $"{{\"product\":\"panel\",\"fingerprint\":\"{Fingerprint("air-gapped")}\",\"product_version\":\"8.2.1\",\"agent_version\":\"1.0.0\"}}"));
        await client.CreateOfflineLicenseAsync(new CreateOfflineLicenseRequest { LicenseId = licenseId, ActivationRequest = request });
        var expires = _factory.WithDb(db => db.Licenses.Single(l => l.Id == Guid.Parse(licenseId)).ExpiresAt);
        var silentMachine = await Agent.ActivateAsync(Activation(online.Licenses[0].LicenseKey, "silent-online"));
        Assert.Equal(ValidationCode.Valid, silentMachine.Code);

        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        // Past the silent-installation window (90 days), well within the file's validity (a year).
        _clock.Advance(TimeSpan.FromDays(91));
        var run = await job.RunOnceAsync(confirmed: true, CancellationToken.None);

        var offline = _factory.WithDb(db => db.Installations.AsNoTracking().Where(i => i.LicenseId == Guid.Parse(licenseId)).ToList());
        Assert.Single(offline);
        Assert.True(offline[0].OfflineFileExpiresAt >= expires);
        Assert.Equal(1, run.InstallationsReleased);
        Assert.False(_factory.WithDb(db => db.Installations.Any(i => i.Id == Guid.Parse(silentMachine.InstallationId))));

        // Once the file can no longer license the machine (expiry plus offline grace), its seat is released too.
        _clock.Advance(expires - _clock.GetUtcNow() + TimeSpan.FromDays(8));
        await job.RunOnceAsync(confirmed: true, CancellationToken.None);
        Assert.False(_factory.WithDb(db => db.Installations.Any(i => i.LicenseId == Guid.Parse(licenseId))));
    }
}
