using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using LicenseHub.Data;
using LicenseHub.Server.Persistence;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Agents;

/// <summary>
/// Copied installations (a cloned VM, a copied disk with its machine id): two "machines" share one activation's
/// state, so they present the same installation id, secret and fingerprint, and only the check-in tickets tell
/// them apart. Also what must not raise the alarm (a lost answer, a retry, an agent that knows no tickets), how
/// the reseller sees and resolves it, and check-ins of two copies that race each other.
/// </summary>
public sealed class CloneDetectionTests : IDisposable
{
    // Long enough for a check-in to read what it reads before the write lock and block on it (as in
    // DecisionUnderLockTests); the fixed code's answers do not depend on it.
    private static readonly TimeSpan BlockedOnLock = TimeSpan.FromMilliseconds(700);

    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private AgentService.AgentServiceClient Agent => new(_factory.Channel);

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private async Task<(ResellerSetup Reseller, string Key, string LicenseId, Scenario Scenario)> LicenseAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory, maxMachines: 2, transferBudget: 2);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        return (reseller, assigned.Licenses[0].LicenseKey, assigned.Licenses[0].License.Id, scenario);
    }

    private static ActivateRequest Activation(string key, string machine = "machine-a") => new()
    {
        LicenseKey = key,
        Fingerprint = Fingerprint(machine),
        ProductVersion = "8.2.1",
        AgentVersion = "1.0.0",
        Product = "panel",
    };

    /// <summary>What one copy of an installation's state holds, as lh-agent keeps it in its state file.</summary>
    private sealed record Copy(string InstallationId, string Secret, string Ticket, string Machine = "machine-a")
    {
        public CheckInRequest Request() => new()
        {
            InstallationId = InstallationId,
            InstallationSecret = Secret,
            Fingerprint = Fingerprint(Machine),
            ProductVersion = "8.2.1",
            AgentVersion = "1.0.0",
            CheckInTicket = Ticket,
        };

        /// <summary>The copy after an answer it received: a VALID one carries its next ticket.</summary>
        public Copy After(CheckInResponse answer) => answer.Code == ValidationCode.Valid ? this with { Ticket = answer.CheckInTicket } : this;
    }

    private async Task<Copy> ActivateAsync(string key)
    {
        var activation = await Agent.ActivateAsync(Activation(key));
        Assert.Equal(ValidationCode.Valid, activation.Code);
        Assert.Equal(43, activation.CheckInTicket.Length);
        return new Copy(activation.InstallationId, activation.InstallationSecret, activation.CheckInTicket);
    }

    private async Task<(CheckInResponse Answer, Copy Copy)> CheckInAsync(Copy copy)
    {
        var answer = await Agent.CheckInAsync(copy.Request());
        return (answer, copy.After(answer));
    }

    /// <summary>Two copies of one activation alternating, until both answer CLONE_SUSPECTED (at the second interval).</summary>
    private async Task<(Copy A, Copy B)> SuspectedCopiesAsync(string key)
    {
        var a = await ActivateAsync(key);
        var b = a;
        CheckInResponse answer;
        (answer, a) = await CheckInAsync(a);
        Assert.Equal(ValidationCode.Valid, answer.Code);
        (answer, b) = await CheckInAsync(b);
        Assert.Equal(ValidationCode.Valid, answer.Code);
        (answer, a) = await CheckInAsync(a);
        Assert.Equal(ValidationCode.CloneSuspected, answer.Code);
        (answer, b) = await CheckInAsync(b);
        Assert.Equal(ValidationCode.CloneSuspected, answer.Code);
        return (a, b);
    }

    [Fact]
    public async Task CheckIn_CopiedInstallationAlternating_IsSuspectedAtTheSecondIntervalAndAnswersBothCopies()
    {
        var (reseller, key, licenseId, _) = await LicenseAsync();
        var a = await ActivateAsync(key);
        var b = a;

        // First interval: A presents the activation's ticket; B, the copy, presents the same one, which to the
        // server looks like A retrying after a lost answer. Both are still licensed.
        var (a1, a2) = await CheckInAsync(a);
        var (b1, b2) = await CheckInAsync(b);
        Assert.Equal(ValidationCode.Valid, a1.Code);
        Assert.Equal(ValidationCode.Valid, b1.Code);
        Assert.NotEqual(a1.CheckInTicket, b1.CheckInTicket);
        Assert.NotEqual(a.Ticket, a1.CheckInTicket);

        // Second interval: A's ticket was replaced by B's check-in. Noticed.
        var a3 = await Agent.CheckInAsync(a2.Request());
        var b3 = await Agent.CheckInAsync(b2.Request());
        foreach (var answer in new[] { a3, b3 })
        {
            Assert.Equal(ValidationCode.CloneSuspected, answer.Code);
            Assert.Empty(answer.Token);
            Assert.Empty(answer.CheckInTicket);
            Assert.Contains("more than one machine", answer.Detail);
            Assert.Contains("reseller", answer.Detail);
        }
        // Whatever a copy presents now, even the ticket that was current.
        Assert.Equal(ValidationCode.CloneSuspected, (await Agent.CheckInAsync(b2.Request())).Code);

        var installation = Assert.Single((await _factory.Reseller(reseller.ViewerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }))
            .Installations);
        Assert.NotNull(installation.CloneSuspectedAt);
        Assert.InRange(installation.CloneSuspectedAt.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        var events = (await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = a.InstallationId })).Events;
        Assert.Equal(1, events.Count(e => e.Action == "installation.clone_suspected" && e.Details == $"license={licenseId}"));
        Assert.Equal(nameof(global::LicenseHub.Domain.Licensing.ValidationCode.CloneSuspected),
            _factory.WithDb(db => db.CheckIns.OrderByDescending(c => c.Id).First().Result));
    }

    [Fact]
    public async Task CheckIn_AnswerDroppedOrRetriedAtOnce_IsNoAlarm()
    {
        var (reseller, key, licenseId, _) = await LicenseAsync();
        var copy = await ActivateAsync(key);

        // The answer is dropped on its way back: the agent never sees its ticket and presents the old one again.
        var dropped = await Agent.CheckInAsync(copy.Request());
        Assert.Equal(ValidationCode.Valid, dropped.Code);
        var (retried, afterRetry) = await CheckInAsync(copy);
        Assert.Equal(ValidationCode.Valid, retried.Code);
        Assert.NotEmpty(retried.Token);

        // Dropped twice in a row: still the previous ticket, still fine.
        Assert.Equal(ValidationCode.Valid, (await Agent.CheckInAsync(afterRetry.Request())).Code);
        Assert.Equal(ValidationCode.Valid, (await Agent.CheckInAsync(afterRetry.Request())).Code);
        var (third, current) = await CheckInAsync(afterRetry);
        Assert.Equal(ValidationCode.Valid, third.Code);

        // An immediate retry of a check-in that did get through, then the agent goes on with the retry's ticket.
        await CheckInAsync(current);
        var (again, afterAgain) = await CheckInAsync(current);
        Assert.Equal(ValidationCode.Valid, again.Code);
        for (var i = 0; i < 3; i++)
        {
            CheckInResponse answer;
            (answer, afterAgain) = await CheckInAsync(afterAgain);
            Assert.Equal(ValidationCode.Valid, answer.Code);
        }

        var installation = Assert.Single((await _factory.Reseller(reseller.OwnerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }))
            .Installations);
        Assert.Null(installation.CloneSuspectedAt);
    }

    [Fact]
    public async Task CheckIn_AgentThatSendsNoTicket_KeepsWorking_ButOneThatSentTicketsAndStops_IsSuspected()
    {
        var (_, key, _, _) = await LicenseAsync();
        var older = await ActivateAsync(key) with { Ticket = "" };
        for (var i = 0; i < 4; i++)
        {
            var answer = await Agent.CheckInAsync(older.Request());
            Assert.Equal(ValidationCode.Valid, answer.Code);
            Assert.NotEmpty(answer.CheckInTicket);
        }

        // The same installation with an agent that knows tickets: once it presented one, a check-in without is a copy's.
        var (first, newer) = await CheckInAsync(older with { Ticket = (await Agent.CheckInAsync(older.Request())).CheckInTicket });
        Assert.Equal(ValidationCode.Valid, first.Code);
        Assert.Equal(ValidationCode.Valid, (await CheckInAsync(newer)).Answer.Code);
        Assert.Equal(ValidationCode.CloneSuspected, (await Agent.CheckInAsync(older.Request())).Code);
    }

    [Fact]
    public async Task CheckIn_TicketOfTheWrongShape_IsRefusedNamingTheField()
    {
        var (_, key, _, _) = await LicenseAsync();
        var copy = await ActivateAsync(key);

        await RpcAssert.InvalidField("check_in_ticket", () => Agent.CheckInAsync((copy with { Ticket = "not-a-ticket" }).Request()));
        await RpcAssert.InvalidField("check_in_ticket", () => Agent.CheckInAsync((copy with { Ticket = copy.Ticket[..42] + "=" }).Request()));

        // Nothing of the refused requests counted: the activation's ticket is still the current one.
        Assert.Equal(ValidationCode.Valid, (await CheckInAsync(copy)).Answer.Code);
    }

    [Fact]
    public async Task Activate_SuspectedCopy_AnswersCloneSuspectedWithoutCredential()
    {
        var (_, key, _, _) = await LicenseAsync();
        var (a, _) = await SuspectedCopiesAsync(key);

        var again = await Agent.ActivateAsync(Activation(key));

        Assert.Equal(ValidationCode.CloneSuspected, again.Code);
        Assert.Empty(again.InstallationSecret);
        Assert.Empty(again.Token);
        Assert.Empty(again.CheckInTicket);
        Assert.Contains("reseller", again.Detail);
        // The old credential was not replaced either.
        Assert.Equal(ValidationCode.CloneSuspected, (await Agent.CheckInAsync(a.Request())).Code);
        // Another machine of the license is not affected.
        Assert.Equal(ValidationCode.Valid, (await Agent.ActivateAsync(Activation(key, "machine-b"))).Code);
    }

    [Fact]
    public async Task ResolveClonedInstallation_VoidsEveryCopysCredential_AndTheNextActivationTakesTheInstallationOver()
    {
        var (reseller, key, licenseId, _) = await LicenseAsync();
        var (a, b) = await SuspectedCopiesAsync(key);
        var manager = _factory.Reseller(reseller.ManagerKey);

        var resolved = await manager.ResolveClonedInstallationAsync(new ResolveClonedInstallationRequest { LicenseId = licenseId, InstallationId = a.InstallationId });

        Assert.Equal(a.InstallationId, resolved.Id);
        Assert.Null(resolved.CloneSuspectedAt);
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => Agent.CheckInAsync(a.Request()));
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => Agent.CheckInAsync(b.Request()));

        // The genuine machine activates again with the key: same installation, a new credential, checking in as before.
        var taken = await ActivateAsync(key);
        Assert.Equal(a.InstallationId, taken.InstallationId);
        var (answer, next) = await CheckInAsync(taken);
        Assert.Equal(ValidationCode.Valid, answer.Code);
        Assert.Equal(ValidationCode.Valid, (await CheckInAsync(next)).Answer.Code);
        await RpcAssert.Fails(StatusCode.Unauthenticated, () => Agent.CheckInAsync(b.Request()));

        var license = await manager.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId });
        Assert.Null(Assert.Single(license.Installations).CloneSuspectedAt);
        Assert.Equal(0, license.License.TransfersUsed);
        var events = (await _factory.Vendor().ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = licenseId })).Events;
        var audited = Assert.Single(events, e => e.Action == "installation.resolve_clone");
        Assert.StartsWith($"installation={a.InstallationId};suspected_since=", audited.Details);
        Assert.StartsWith("apikey:", audited.ActorId);

        // Only a suspected installation can be resolved: anything else is a release.
        var ex = await RpcAssert.Fails(StatusCode.FailedPrecondition,
            () => manager.ResolveClonedInstallationAsync(new ResolveClonedInstallationRequest { LicenseId = licenseId, InstallationId = a.InstallationId }));
        Assert.Contains("release", ex.Status.Detail);
    }

    [Fact]
    public async Task ReleaseInstallation_OfASuspectedCopy_FreesTheSeatForANewActivation()
    {
        var (reseller, key, licenseId, _) = await LicenseAsync();
        var (a, b) = await SuspectedCopiesAsync(key);

        var license = await _factory.Reseller(reseller.OwnerKey).ReleaseInstallationAsync(new ReleaseInstallationRequest
        {
            LicenseId = licenseId, InstallationId = a.InstallationId,
        });

        Assert.Equal(0, license.Installations);
        Assert.Equal(1, license.TransfersUsed);
        Assert.Equal(ValidationCode.InstallationReleased, (await Agent.CheckInAsync(a.Request())).Code);
        Assert.Equal(ValidationCode.InstallationReleased, (await Agent.CheckInAsync(b.Request())).Code);
        var fresh = await ActivateAsync(key);
        Assert.NotEqual(a.InstallationId, fresh.InstallationId);
        Assert.Equal(ValidationCode.Valid, (await CheckInAsync(fresh)).Answer.Code);
    }

    [Fact]
    public async Task CloneSuspicion_IsSeenOverRest_AndAnotherResellerCanNeitherSeeNorResolveIt()
    {
        var (reseller, key, licenseId, scenario) = await LicenseAsync();
        var (a, _) = await SuspectedCopiesAsync(key);
        var other = await scenario.AddResellerAsync("Other Hosting");

        using var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", reseller.ViewerKey);
        var detail = await http.GetFromJsonAsync<JsonElement>($"/v1/licenses/{licenseId}");
        var suspectedAt = detail.GetProperty("installations")[0].GetProperty("cloneSuspectedAt").GetString();
        Assert.True(DateTimeOffset.TryParse(suspectedAt, out _), suspectedAt);

        var foreign = _factory.Reseller(other.OwnerKey);
        await RpcAssert.Fails(StatusCode.NotFound, () => foreign.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }));
        await RpcAssert.Fails(StatusCode.NotFound, () => foreign.ResolveClonedInstallationAsync(new ResolveClonedInstallationRequest
        {
            LicenseId = licenseId, InstallationId = a.InstallationId,
        }));
        // A viewer sees it but cannot resolve it.
        await RpcAssert.Fails(StatusCode.PermissionDenied, () => _factory.Reseller(reseller.ViewerKey).ResolveClonedInstallationAsync(
            new ResolveClonedInstallationRequest { LicenseId = licenseId, InstallationId = a.InstallationId }));

        // Over REST, as a billing system resolves it.
        using var manager = _factory.CreateClient();
        manager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", reseller.ManagerKey);
        var response = await manager.PostAsync($"/v1/licenses/{licenseId}/installations/{a.InstallationId}:resolveClone", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Null(Assert.Single((await _factory.Reseller(reseller.OwnerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }))
            .Installations).CloneSuspectedAt);
    }

    [Fact]
    public async Task CheckIn_SameTicketFromTwoCopiesAtOnce_BothPassOnce_ThenBothAreSuspected()
    {
        var (_, key, _, _) = await LicenseAsync();
        var a = await ActivateAsync(key);

        // Both read the installation before either writes: their check-ins queue behind the write lock.
        var answers = await WhileWriteLockHeld(a.InstallationId, null, () => Agent.CheckInAsync(a.Request()).ResponseAsync,
            () => Agent.CheckInAsync(a.Request()).ResponseAsync);

        Assert.All(answers, x => Assert.Equal(ValidationCode.Valid, x.Code));
        Assert.NotEqual(answers[0].CheckInTicket, answers[1].CheckInTicket);
        var copies = answers.Select(x => a.After(x)).ToArray();
        var next = new[] { await Agent.CheckInAsync(copies[0].Request()), await Agent.CheckInAsync(copies[1].Request()) };
        // At most the copy whose ticket was written last passes once more; then both are suspected.
        Assert.Contains(next, x => x.Code == ValidationCode.CloneSuspected);
        Assert.Equal(ValidationCode.CloneSuspected, next[1].Code);
        foreach (var copy in copies)
        {
            Assert.Equal(ValidationCode.CloneSuspected, (await Agent.CheckInAsync(copy.Request())).Code);
        }
    }

    [Fact]
    public async Task CheckIn_DecidedBeforeACopyWasNoticed_DoesNotEraseTheSuspicion()
    {
        var (_, key, _, _) = await LicenseAsync();
        var a = await ActivateAsync(key);
        var b = a;
        (_, a) = await CheckInAsync(a);
        (_, b) = await CheckInAsync(b);
        // Now B holds the current ticket and A a replaced one. A's check-in notices the copy; B's, read before
        // A's is written, would pass and write its new ticket over the suspicion if it were not decided again.
        var answers = await WhileWriteLockHeld(a.InstallationId, null, () => Agent.CheckInAsync(a.Request()).ResponseAsync,
            () => Agent.CheckInAsync(b.Request()).ResponseAsync);

        Assert.Equal(ValidationCode.CloneSuspected, answers[0].Code);
        Assert.Equal(ValidationCode.CloneSuspected, answers[1].Code);
        Assert.Empty(answers[1].Token);
        Assert.NotNull(_factory.WithDb(db => db.Installations.Single().CloneSuspectedAt));
        Assert.Equal(ValidationCode.CloneSuspected, (await Agent.CheckInAsync(b.Request())).Code);
    }

    [Fact]
    public async Task CheckIn_DecidedBeforeTheMachineActivatedAgain_IsRefusedAsUnauthenticated_NotSuspected()
    {
        var (_, key, _, _) = await LicenseAsync();
        var a = await ActivateAsync(key);
        var id = Guid.Parse(a.InstallationId);

        // The credential is replaced while the check-in, already past its credential check, waits to be written.
        var call = () => WhileWriteLockHeld(a.InstallationId,
            db => db.Installations.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.SecretHash, SHA256.HashData("replaced"u8))
                .SetProperty(i => i.CheckInTicketHash, SHA256.HashData("other"u8))),
            () => Agent.CheckInAsync(a.Request()).ResponseAsync);
        await RpcAssert.Fails(StatusCode.Unauthenticated, call);

        Assert.Null(_factory.WithDb(db => db.Installations.Single().CloneSuspectedAt));
    }

    /// <summary>
    /// Holds the database's write lock (SQLite) or the installation's row lock (PostgreSQL), starts each call in
    /// turn and lets it block on the lock, applies <paramref name="change"/>, then lets them all write. The calls
    /// are answered in the order they were started.
    /// </summary>
    private async Task<CheckInResponse[]> WhileWriteLockHeld(string installationId, Func<LicenseHubDbContext, Task>? change,
        params Func<Task<CheckInResponse>>[] calls)
    {
        var id = Guid.Parse(installationId);
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (LicenseHubFactory.OnPostgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Installations\" WHERE \"Id\" = {id} FOR UPDATE");
        }

        var pending = new List<Task<CheckInResponse>>();
        foreach (var call in calls)
        {
            pending.Add(call());
            await Task.WhenAny(pending[^1], Task.Delay(BlockedOnLock));
            Assert.False(pending[^1].IsCompleted, "the check-in must wait for the lock");
        }
        if (change is not null)
        {
            await change(db);
        }
        await transaction.CommitAsync();
        return await Task.WhenAll(pending);
    }
}
