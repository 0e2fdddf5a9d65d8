using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Free text of an audited action (a suspension reason) is kept apart from the hash chain, so it can be erased
/// with the account it is about while the chain still verifies.
/// </summary>
public sealed class AuditNoteTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private const string Reason = "Jane Roe (jane.roe@example.org) says invoice 7781 is disputed";

    private async Task<ResellerSetup> SuspendedAndResumedAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        await _factory.Vendor().SuspendResellerAsync(new SuspendResellerRequest { ResellerId = reseller.ResellerId, Reason = Reason });
        await _factory.Vendor().ResumeResellerAsync(new ResumeResellerRequest { ResellerId = reseller.ResellerId });
        return reseller;
    }

    private async Task<AuditEvent> SuspensionEventAsync(string resellerId) =>
        (await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = resellerId })).Events
            .Single(e => e.Action == "reseller.suspend");

    [Fact]
    public async Task SuspensionReason_IsANoteOutsideTheChain_TheAuditorStillReadsIt()
    {
        var reseller = await SuspendedAndResumedAsync();

        var suspended = await SuspensionEventAsync(reseller.ResellerId);

        Assert.Equal(Reason, suspended.Note);
        Assert.DoesNotContain("Jane", suspended.Details);
        Assert.Matches("^note=[0-9a-f-]{36}:[0-9a-f]{64}$", suspended.Details);
        var chained = _factory.WithDb(db => string.Join("\n", db.AuditEvents.Select(e => e.Details ?? "")));
        Assert.DoesNotContain("jane.roe", chained);
        Assert.True((await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);

        // An auditor sees the event and its digest, never the free text.
        var auditorKey = (await _factory.Vendor().CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = "auditor", Role = ApiKeyRole.VendorAuditor })).ApiKey;
        var asAuditor = (await _factory.Vendor(auditorKey).ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = reseller.ResellerId })).Events
            .Single(e => e.Action == "reseller.suspend");
        Assert.Equal("", asAuditor.Note);
        Assert.Equal(suspended.Details, asAuditor.Details);
    }

    [Fact]
    public async Task AccountDeletion_ErasesTheNote_AndTheChainStillVerifies()
    {
        var reseller = await SuspendedAndResumedAsync();
        var before = await SuspensionEventAsync(reseller.ResellerId);

        var deleted = await _factory.Reseller(reseller.OwnerKey).DeleteAccountAsync(new DeleteAccountRequest { ConfirmResellerId = reseller.ResellerId });

        Assert.Contains(deleted.Erased, line => line.StartsWith("1 note(s)", StringComparison.Ordinal));
        var after = await SuspensionEventAsync(reseller.ResellerId);
        Assert.Equal("", after.Note);
        Assert.Equal(before.Details, after.Details);
        Assert.Equal(before.Hash, after.Hash);
        Assert.Equal(0, _factory.WithDb(db => db.AuditNotes.Count()));
        Assert.True((await _factory.Vendor().VerifyAuditChainAsync(new VerifyAuditChainRequest())).Intact);
        // Not in the file's free pages either (secure_delete), nor anywhere else stored.
        Assert.DoesNotContain("jane.roe@example.org", _factory.StoredText());
    }

    [Fact]
    public async Task EditedNote_IsNotShownAsTheAuditedText()
    {
        var reseller = await SuspendedAndResumedAsync();

        Assert.Equal(1, _factory.ExecuteSql("UPDATE \"AuditNotes\" SET \"Text\" = 'nothing happened'"));

        var suspended = await SuspensionEventAsync(reseller.ResellerId);
        Assert.Equal("", suspended.Note);
    }
}
