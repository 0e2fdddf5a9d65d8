using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

/// <summary>Every paged list, walked page by page: each item once, in the order of one big page.</summary>
public sealed class PagingTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ListResellers_PagesOfTwo_EveryResellerOnceNewestFirst()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        foreach (var name in new[] { "One", "Two", "Three", "Four", "Five" })
        {
            await scenario.AddResellerAsync($"{name} Hosting");
        }
        var vendor = _factory.Vendor();

        var walked = await WalkAsync(async page =>
        {
            var response = await vendor.ListResellersAsync(new ListResellersRequest { Page = page });
            return (response.Resellers.Select(r => r.CompanyName), response.NextPageToken);
        });

        Assert.Equal(["Five Hosting", "Four Hosting", "Three Hosting", "Two Hosting", "One Hosting"], walked);
    }

    [Fact]
    public async Task ListOrdersAndPools_PagesOfTwo_SameAsOnePage()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var vendor = _factory.Vendor();
        for (var i = 0; i < 3; i++)
        {
            var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
            {
                ProductId = scenario.ProductId, Code = $"extra-{i}", Edition = "pro", TermDays = 365, MaxMachines = 1,
                Price = new Money { AmountMinor = 100, Currency = "EUR" },
            });
            await _factory.Reseller(reseller.OwnerKey).CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 1, IdempotencyKey = $"extra-order-{i}" });
        }
        for (var quantity = 1; quantity <= 4; quantity++)
        {
            await scenario.BuyAsync(reseller, quantity);
        }
        var client = _factory.Reseller(reseller.OwnerKey);

        var orders = await WalkAsync(async page =>
        {
            var response = await client.ListOrdersAsync(new ListOrdersRequest { Page = page });
            return (response.Orders.Select(o => o.Id), response.NextPageToken);
        });
        var pools = await WalkAsync(async page =>
        {
            var response = await vendor.ListPoolsAsync(new VendorListPoolsRequest { ResellerId = reseller.ResellerId, Page = page });
            return (response.Pools.Select(p => p.Id), response.NextPageToken);
        });

        Assert.Equal(7, orders.Count);
        Assert.Equal((await client.ListOrdersAsync(new ListOrdersRequest())).Orders.Select(o => o.Id), orders);
        Assert.Equal(4, pools.Count);
        Assert.Equal((await client.ListPoolsAsync(new ListPoolsRequest())).Pools.Select(p => p.Id), pools);
    }

    [Fact]
    public async Task ListAuditEvents_PagesOfThree_EverySequenceOnceDescending()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        await scenario.AddResellerAsync();
        var vendor = _factory.Vendor();

        var walked = await WalkAsync(async page =>
        {
            var response = await vendor.ListAuditEventsAsync(new ListAuditEventsRequest { Page = page });
            return (response.Events.Select(e => e.Sequence), response.NextPageToken);
        }, pageSize: 3);

        var all = (await vendor.ListAuditEventsAsync(new ListAuditEventsRequest { Page = new PageRequest { PageSize = 500 } })).Events;
        Assert.True(walked.Count > 3, $"only {walked.Count} events");
        Assert.Equal(all.Select(e => e.Sequence), walked);
        Assert.Equal(walked.OrderDescending(), walked);
    }

    /// <summary>Follows next_page_token to the end; a page is never larger than asked, only the last one may be smaller.</summary>
    private static async Task<List<T>> WalkAsync<T>(Func<PageRequest, Task<(IEnumerable<T> Items, string Next)>> list, int pageSize = 2)
    {
        var walked = new List<T>();
        var token = "";
        do
        {
            var (items, next) = await list(new PageRequest { PageSize = pageSize, PageToken = token });
            var page = items.ToList();
            Assert.True(next == "" ? page.Count <= pageSize : page.Count == pageSize, $"{page.Count} items with next '{next}'");
            walked.AddRange(page);
            token = next;
        } while (token != "");
        return walked;
    }
}
