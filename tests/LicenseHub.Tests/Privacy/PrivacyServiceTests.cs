using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LicenseHub.Tests.Privacy;

public sealed class PrivacyServiceTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly LicenseHubFactory _factory;

    public PrivacyServiceTests()
    {
        _factory = new LicenseHubFactory(builder =>
        {
            builder.UseSetting("LicenseHub:Retention:Enabled", "false");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private AuditService.AuditServiceClient Auditor(string key) =>
        new(_factory.Channel.Intercept(m => { m.Add("authorization", "Bearer " + key); return m; }));

    private async Task<string> AuditorKeyAsync() =>
        (await _factory.Vendor().CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = "auditor", Role = ApiKeyRole.VendorAuditor })).ApiKey;

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    /// <summary>Onboarding, assignment, and activations and check-ins at both telemetry levels.</summary>
    private async Task<(ResellerSetup Reseller, List<ActivateResponse> Activations, string LicenseId)> EndToEndAsync(int machines = 3)
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines: Math.Max(10, machines));
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var assigned = await _factory.Reseller(reseller.OwnerKey).AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = pool.Id,
            Assignments = { new LicenseAssignment { ResellerReference = "WHMCS-4711" } },
        });
        var key = assigned.Licenses[0].LicenseKey;
        var activations = new List<ActivateResponse>();
        for (var i = 0; i < machines; i++)
        {
            var level = i % 2 == 0 ? TelemetryLevel.Basic : TelemetryLevel.Required;
            var activation = await Agent.ActivateAsync(new ActivateRequest
            {
                LicenseKey = key, Fingerprint = Fingerprint($"m{i}"), ProductVersion = "8.2.1", AgentVersion = "1.0.0", TelemetryLevel = level,
                Basic = new BasicTelemetry { OsFamily = OsFamily.Linux, OsVersion = "12.4", CpuArchitecture = CpuArchitecture.X64, CpuCores = 4 },
            });
            Assert.Equal(ValidationCode.Valid, activation.Code);
            activations.Add(activation);
            await Agent.CheckInAsync(new CheckInRequest
            {
                InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = Fingerprint($"m{i}"),
                ProductVersion = "8.2.1", AgentVersion = "1.0.0", TelemetryLevel = level,
                Basic = new BasicTelemetry { OsFamily = OsFamily.Linux, OsVersion = "12.4", CpuArchitecture = CpuArchitecture.X64, CpuCores = 4 },
            });
        }
        return (reseller, activations, assigned.Licenses[0].License.Id);
    }

    [Fact]
    public async Task DataInventory_IsGeneratedFromTheModelWithRowCounts()
    {
        await EndToEndAsync();
        var auditor = Auditor(await AuditorKeyAsync());

        var inventory = await auditor.GetDataInventoryAsync(new GetDataInventoryRequest { Format = "markdown" });

        var installations = inventory.Tables.Single(t => t.Table == "Installations");
        Assert.True(installations.EndUserData);
        Assert.Equal(3, installations.RowCount);
        Assert.Equal("Pseudonymous", installations.Columns.Single(c => c.Column == "Fingerprint").Classification);
        Assert.DoesNotContain(inventory.Tables.Where(t => t.EndUserData).SelectMany(t => t.Columns), c => c.Classification == "Personal");
        var resellers = inventory.Tables.Single(t => t.Table == "Resellers");
        Assert.Equal("Personal", resellers.Columns.Single(c => c.Column == "BillingContactEmail").Classification);
        Assert.All(inventory.Tables.SelectMany(t => t.Columns), c => Assert.False(string.IsNullOrEmpty(c.Purpose)));
        Assert.Contains("| Installations | 3 |", inventory.Rendered);
    }

    [Fact]
    public async Task Auditor_CannotReadResellerPersonalDataOrKeys()
    {
        var (reseller, _, licenseId) = await EndToEndAsync(1);
        var auditorKey = await AuditorKeyAsync();
        var asVendor = _factory.Vendor(auditorKey);

        await RpcAssert.Fails(StatusCode.PermissionDenied, () => asVendor.GetResellerAsync(new GetResellerRequest { ResellerId = reseller.ResellerId }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => asVendor.ListResellersAsync(new ListResellersRequest()));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => asVendor.ListApiKeysAsync(new ListApiKeysRequest { ResellerId = reseller.ResellerId }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => _factory.Reseller(auditorKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }));
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => _factory.Reseller(auditorKey).ExportMyDataAsync(new ExportMyDataRequest()));
        // ... while the auditor's own reads work.
        Assert.NotEmpty((await Auditor(auditorKey).GetRetentionReportAsync(new GetRetentionReportRequest())).Entries);
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => Auditor(reseller.OwnerKey).GetDataInventoryAsync(new GetDataInventoryRequest()));
    }

    [Fact]
    public async Task VendorReadingResellerPersonalData_IsAudited()
    {
        var (reseller, _, _) = await EndToEndAsync(1);

        await _factory.Vendor().GetResellerAsync(new GetResellerRequest { ResellerId = reseller.ResellerId });

        var events = await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = reseller.ResellerId });
        Assert.Contains(events.Events, e => e.Action == "reseller.read_personal");
    }

    [Fact]
    public async Task PiiScan_FindsPlantedValues_AndMasksThem()
    {
        var (_, activations, licenseId) = await EndToEndAsync(1);
        // A refused check-in leaves a raw row (evidence); VALID ones are only counted.
        Assert.Equal(ValidationCode.FingerprintMismatch, (await Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activations[0].InstallationId, InstallationSecret = activations[0].InstallationSecret, Fingerprint = Fingerprint("other"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        })).Code);
        void Exec(string sql) => Assert.Equal(1, _factory.ExecuteSql(sql));
        Exec($"UPDATE \"Licenses\" SET \"ResellerReference\" = 'jane.doe@example.com' WHERE \"Id\" = {LicenseHubFactory.SqlId(licenseId)}");
        Exec($"UPDATE \"Installations\" SET \"ProductVersion\" = '192.168.1.20' WHERE \"Id\" = {LicenseHubFactory.SqlId(activations[0].InstallationId)}");
        Exec($"UPDATE \"Installations\" SET \"AgentVersion\" = '00:1A:2B:3C:4D:5E' WHERE \"Id\" = {LicenseHubFactory.SqlId(activations[0].InstallationId)}");
        Exec("UPDATE \"CheckIns\" SET \"ProductVersion\" = 'web01.customer-example.com' WHERE \"Id\" = (SELECT MIN(\"Id\") FROM \"CheckIns\")");
        Exec("UPDATE \"AuditEvents\" SET \"Details\" = 'call +49 30 1234567' WHERE \"Sequence\" = 1");
        Exec("UPDATE \"ApiKeys\" SET \"Name\" = 'fe80::1ff:fe23:4567:890a' WHERE \"Role\" = 'VendorAdmin'");

        var report = await Auditor(await AuditorKeyAsync()).ScanForPersonalDataAsync(new ScanForPersonalDataRequest());

        void Found(string table, string column, string kind) =>
            Assert.Contains(report.Findings, f => f.Table == table && f.Column == column && f.Kind == kind);
        Found("Licenses", "ResellerReference", "Email");
        Found("Installations", "ProductVersion", "IPv4");
        Found("Installations", "AgentVersion", "MacAddress");
        Found("CheckIns", "ProductVersion", "HostName");
        Found("AuditEvents", "Details", "Phone");
        Found("ApiKeys", "Name", "IPv6");
        Assert.Equal(6, report.Findings.Select(f => (f.Table, f.Column)).Distinct().Count());
        Assert.DoesNotContain(report.Findings, f => f.MaskedValue.Contains("jane.doe") || f.MaskedValue.Contains("192.168.1.20"));
        // The reseller's billing e-mail is classified personal: it belongs there and is not a finding.
        Assert.DoesNotContain(report.Findings, f => f.Column == "BillingContactEmail");
    }

    [Fact]
    public async Task PiiScan_AfterEndToEndRunAtBothTelemetryLevels_FindsNothing()
    {
        await EndToEndAsync(4);
        var report = await Auditor(await AuditorKeyAsync()).ScanForPersonalDataAsync(new ScanForPersonalDataRequest());
        Assert.True(report.ValuesScanned > 30);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task Retention_RollsUpCheckInsReleasesSilentInstallationsAndTrimsAuditOnTime()
    {
        var (_, activations, _) = await EndToEndAsync(6);
        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        // The clock leaps ahead with nothing written meanwhile, which retention holds as a clock it cannot trust; the
        // runs here stand for an operator's confirmed runs ('licensehub retention run --confirm').
        Task<LicenseHub.Server.Privacy.RetentionRun> Run() => job.RunOnceAsync(confirmed: true, CancellationToken.None);
        int CheckIns() => _factory.WithDb(db => db.CheckIns.Count());

        // Counted as they were written, from the first day: 6 activations and 6 check-ins of 6 installations. VALID
        // check-ins leave no raw row; a refused one does, as evidence, until the check-in window ends.
        var counts = _factory.WithDb(db => db.DailyCheckInCounts.ToList());
        Assert.Equal(12, counts.Sum(c => c.CheckIns));
        Assert.Equal(6, counts.Sum(c => c.Installations));
        Assert.Equal(0, CheckIns());
        Assert.Equal(ValidationCode.FingerprintMismatch, (await Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activations[1].InstallationId, InstallationSecret = activations[1].InstallationSecret, Fingerprint = Fingerprint("copy"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        })).Code);
        Assert.Equal(1, CheckIns());
        Assert.Equal(13, _factory.WithDb(db => db.DailyCheckInCounts.Sum(c => c.CheckIns)));

        _clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        var early = await Run();
        Assert.Equal(0, early.CheckInsAggregated);
        Assert.Equal(1, CheckIns());

        _clock.Advance(TimeSpan.FromMinutes(2));
        var onTime = await Run();
        Assert.Equal(1, onTime.CheckInsAggregated);
        Assert.Equal(0, CheckIns());
        // Deleted, not counted twice.
        Assert.Equal(13, _factory.WithDb(db => db.DailyCheckInCounts.Sum(c => c.CheckIns)));
        Assert.Equal(6, _factory.WithDb(db => db.Installations.Count()));

        // One installation keeps checking in; the others fall silent past 90 days.
        _clock.Advance(TimeSpan.FromDays(61));
        await Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activations[0].InstallationId, InstallationSecret = activations[0].InstallationSecret, Fingerprint = Fingerprint("m0"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        });
        await _factory.Vendor().CreateProductAsync(new CreateProductRequest { Code = "later", Name = "A later product" });
        var silent = await Run();
        Assert.Equal(5, silent.InstallationsReleased);
        Assert.Equal(activations[0].InstallationId, _factory.WithDb(db => db.Installations.Single().Id.ToString()));

        // Audit events past 400 days go, behind a signed checkpoint; the chain still verifies.
        var eventsBefore = _factory.WithDb(db => db.AuditEvents.Count());
        _clock.Advance(TimeSpan.FromDays(400 - 91 + 1));
        var trimmed = await Run();
        Assert.True(trimmed.AuditEventsDeleted > 0 && trimmed.AuditEventsDeleted < eventsBefore);
        Assert.Equal(1, _factory.WithDb(db => db.AuditCheckpoints.Count()));
        var verify = await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verify.Intact, verify.Problem);

        // Tampering with the checkpoint is detected.
        // (Flip the first two hex digits to a value that is certainly different.)
        _factory.ExecuteSql("UPDATE \"AuditCheckpoints\" SET \"Hash\" = CASE WHEN substr(\"Hash\", 1, 2) = 'ff' THEN '00' ELSE 'ff' END || substr(\"Hash\", 3)");
        Assert.False((await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);
    }

    [Fact]
    public async Task Retention_OnAClockFarAheadOfEveryStoredTime_HoldsAndSaysSo_UntilConfirmed()
    {
        // The server restarts with its clock 91 days ahead: every installation looks silent past the window.
        var (_, activations, _) = await EndToEndAsync(6);
        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        _clock.Advance(TimeSpan.FromDays(91));

        var held = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, held.InstallationsReleased);
        Assert.Equal(0, held.CheckInsAggregated);
        Assert.Contains("days ahead of the newest stored time", held.Held);
        Assert.Equal(6, _factory.WithDb(db => db.Installations.Count()));
        using var http = _factory.CreateClient();
        Assert.Contains("Degraded", await http.GetStringAsync("/health/ready"));

        var confirmed = await job.RunOnceAsync(confirmed: true, CancellationToken.None);
        Assert.Equal(activations.Count, confirmed.InstallationsReleased);
        Assert.Null(job.Held);
    }

    [Fact]
    public async Task Retention_ThatWouldReleaseMostInstallationsAtOnce_WaitsForAnOperator()
    {
        var (_, activations, _) = await EndToEndAsync(12);
        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        // Time passes in steps with something written along the way, so the clock is trusted; 11 of 12 fall silent.
        for (var day = 0; day < 91; day += 5)
        {
            _clock.Advance(TimeSpan.FromDays(5));
            await Agent.CheckInAsync(new CheckInRequest
            {
                InstallationId = activations[0].InstallationId, InstallationSecret = activations[0].InstallationSecret, Fingerprint = Fingerprint("m0"),
                ProductVersion = "8.2.1", AgentVersion = "1.0.0",
            });
        }

        var held = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, held.InstallationsReleased);
        Assert.Contains("would release 11 of 12 installations", held.Held);
        Assert.Equal(12, _factory.WithDb(db => db.Installations.Count()));
        var confirmed = await job.RunOnceAsync(confirmed: true, CancellationToken.None);
        Assert.Equal(11, confirmed.InstallationsReleased);
    }

    [Fact]
    public async Task UsageStatistics_SuppressSmallGroups()
    {
        await EndToEndAsync(6);
        var job = _factory.Services.GetRequiredService<LicenseHub.Server.Privacy.RetentionJob>();
        _clock.Advance(TimeSpan.FromDays(31));
        await job.RunOnceAsync(confirmed: true, CancellationToken.None);
        var auditor = Auditor(await AuditorKeyAsync());

        var stats = await auditor.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { Days = 60 });

        // 3 installations at level basic (Linux) and 3 at required (no OS): both groups are below 5.
        Assert.Empty(stats.Days);
        Assert.Equal(2, stats.SuppressedGroups);
    }

    [Fact]
    public async Task DataRights_ExportCorrectRestrictDelete_AreEachOneCallAndAudited()
    {
        var (reseller, activations, licenseId) = await EndToEndAsync(1);
        var client = _factory.Reseller(reseller.OwnerKey);

        var export = JsonDocument.Parse((await client.ExportMyDataAsync(new ExportMyDataRequest())).Json).RootElement;
        Assert.Equal("billing@example-hosting.test", export.GetProperty("account").GetProperty("billing_contact_email").GetString());
        Assert.Equal(licenseId, export.GetProperty("licenses")[0].GetProperty("id").GetString());
        Assert.Equal(1, export.GetProperty("orders").GetArrayLength());
        Assert.DoesNotContain("license_key", export.GetRawText());

        var corrected = await client.UpdateProfileAsync(new UpdateProfileRequest { BillingContactName = "Accounts Team" });
        Assert.Equal("Accounts Team", corrected.BillingContactName);
        Assert.Equal("Example Hosting GmbH", corrected.CompanyName);
        await RpcAssert.InvalidField("billing_contact_email", () => client.UpdateProfileAsync(new UpdateProfileRequest { BillingContactEmail = "nope" }));
        Assert.True(_factory.WithDb(db => db.Resellers.Single().ProcessingRestricted) == false);
        await client.SetProcessingRestrictionAsync(new SetProcessingRestrictionRequest { Restricted = true });
        Assert.True(_factory.WithDb(db => db.Resellers.Single().ProcessingRestricted));

        await RpcAssert.InvalidField("confirm_reseller_id", () => client.DeleteAccountAsync(new DeleteAccountRequest { ConfirmResellerId = Guid.NewGuid().ToString() }));
        var deleted = await client.DeleteAccountAsync(new DeleteAccountRequest { ConfirmResellerId = reseller.ResellerId });
        Assert.NotEmpty(deleted.Kept);
        var row = _factory.WithDb(db => db.Resellers.Single());
        Assert.Null(row.BillingContactEmail);
        Assert.Null(row.BillingContactName);
        Assert.Null(row.VatId);
        Assert.Equal(1, _factory.WithDb(db => db.Orders.Count()));
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => client.ListPoolsAsync(new ListPoolsRequest()));

        // End users keep service: the license still validates at check-in.
        var checkIn = await Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activations[0].InstallationId, InstallationSecret = activations[0].InstallationSecret, Fingerprint = Fingerprint("m0"),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0",
        });
        Assert.Equal(ValidationCode.Valid, checkIn.Code);

        var actions = (await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = reseller.ResellerId, Page = new PageRequest { PageSize = 100 } }))
            .Events.Select(e => e.Action).ToList();
        Assert.Contains("reseller.export", actions);
        Assert.Contains("reseller.correct", actions);
        Assert.Contains("reseller.restrict", actions);
        Assert.Contains("reseller.delete", actions);
    }
}
