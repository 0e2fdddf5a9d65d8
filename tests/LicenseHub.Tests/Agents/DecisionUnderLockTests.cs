using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using LicenseHub.Data;
using LicenseHub.Server.Persistence;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Agents;

/// <summary>
/// A revoke that lands while an activation (or an offline license file) waits for the license lock: the
/// decision must be taken from what holds once the lock is held, not from what was read before.
/// </summary>
public sealed class DecisionUnderLockTests : IDisposable
{
    // Long enough for the call to read what it reads before the lock and block on it; the outcome does not
    // depend on it in the fixed code, only the old code's wrong answer does.
    private static readonly TimeSpan BlockedOnLock = TimeSpan.FromMilliseconds(700);

    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static string Fingerprint(string machine) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("salt"), Encoding.UTF8.GetBytes(machine)));

    private async Task<(ResellerSetup Reseller, string Key, string LicenseId)> LicenseAsync()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 1);
        var assigned = await scenario.AssignAsync(reseller, pool.Id, 1);
        return (reseller, assigned.Licenses[0].LicenseKey, assigned.Licenses[0].License.Id);
    }

    [Fact]
    public async Task Activate_RevokedWhileWaitingForLicenseLock_AnswersRevokedAndRecordsNothing()
    {
        var (_, key, licenseId) = await LicenseAsync();

        var answer = await WhileRevokedUnderLock(licenseId, () => new AgentService.AgentServiceClient(_factory.Channel).ActivateAsync(new ActivateRequest
        {
            LicenseKey = key,
            Fingerprint = Fingerprint("machine-a"),
            ProductVersion = "8.2.1",
            AgentVersion = "1.0.0",
            Product = "panel",
        }).ResponseAsync);

        Assert.Equal(V1.ValidationCode.Revoked, answer.Code);
        Assert.Empty(answer.Token);
        Assert.Empty(answer.InstallationSecret);
        Assert.Equal(0, _factory.WithDb(db => db.Installations.Count()));
    }

    [Fact]
    public async Task CreateOfflineLicense_RevokedWhileWaitingForLicenseLock_IsRefusedAndRecordsNothing()
    {
        var (reseller, _, licenseId) = await LicenseAsync();
        var request = Base64Url.Encode(Encoding.UTF8.GetBytes(
            $"{{\"product\":\"panel\",\"fingerprint\":\"{Fingerprint("air-gapped")}\",\"product_version\":\"8.2.1\",\"agent_version\":\"1.0.0\"}}"));

        var ex = await Assert.ThrowsAsync<RpcException>(() => WhileRevokedUnderLock(licenseId, () => _factory.Reseller(reseller.OwnerKey)
            .CreateOfflineLicenseAsync(new CreateOfflineLicenseRequest { LicenseId = licenseId, ActivationRequest = request }).ResponseAsync));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("revoked", ex.Status.Detail);
        Assert.Equal(0, _factory.WithDb(db => db.Installations.Count()));
    }

    /// <summary>
    /// Holds the license lock (on SQLite the write lock, as every unit of work does; on PostgreSQL the row lock),
    /// starts <paramref name="call"/>, lets it block on the lock, then revokes the license and commits.
    /// </summary>
    private async Task<T> WhileRevokedUnderLock<T>(string licenseId, Func<Task<T>> call)
    {
        var id = Guid.Parse(licenseId);
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await DatabaseLocks.LicenseAsync(db, id, CancellationToken.None);

        var pending = call();
        await Task.WhenAny(pending, Task.Delay(BlockedOnLock));
        Assert.False(pending.IsCompleted, "the call must wait for the license lock");

        await db.Licenses.Where(l => l.Id == id).ExecuteUpdateAsync(s => s.SetProperty(l => l.State, global::LicenseHub.Domain.Licensing.LicenseState.Revoked));
        await transaction.CommitAsync();
        return await pending;
    }
}
