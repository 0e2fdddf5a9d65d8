using Grpc.Core;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

public sealed class PoolConcurrencyTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task AssignLicenses_TwentyConcurrentCalls_NeverOversell()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 100);
        var client = _factory.Reseller(reseller.OwnerKey);

        var calls = Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                var r = await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 7 });
                return (Assigned: r.Licenses.Count, Refused: false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                return (Assigned: 0, Refused: true);
            }
        }).ToList();
        var results = await Task.WhenAll(calls);

        // 14 calls of 7 fit into 100 (98); the other 6 are refused whole.
        Assert.Equal(14, results.Count(r => !r.Refused));
        Assert.Equal(6, results.Count(r => r.Refused));
        var after = await client.GetPoolAsync(new GetPoolRequest { PoolId = pool.Id });
        Assert.Equal(98, after.Assigned);
        Assert.Equal(2, after.Available);
        Assert.Equal(98, _factory.WithDb(db => db.Licenses.Count()));

        // Two more fit exactly; one more does not.
        await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 2 });
        await RpcAssert.Fails(StatusCode.FailedPrecondition, () => client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 1 }));
        Assert.Equal(100, _factory.WithDb(db => db.Licenses.Count()));
        Assert.Equal(100, _factory.WithDb(db => db.Pools.Single().Assigned));
    }

    [Fact]
    public async Task AssignLicenses_MoreThanAvailable_AssignsNothing()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 10);
        var client = _factory.Reseller(reseller.OwnerKey);

        var ex = await RpcAssert.Fails(StatusCode.FailedPrecondition, () => client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 11 }));
        Assert.Contains("nothing was assigned", ex.Status.Detail);
        Assert.Equal(0, _factory.WithDb(db => db.Licenses.Count()));
        Assert.Equal(0, (await client.GetPoolAsync(new GetPoolRequest { PoolId = pool.Id })).Assigned);
        Assert.Equal(0, _factory.WithDb(db => db.AuditEvents.Count(e => e.Action == "license.assign")));
    }
}
