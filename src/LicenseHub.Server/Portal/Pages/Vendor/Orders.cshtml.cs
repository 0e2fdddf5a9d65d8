using LicenseHub.Data;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Portal.Pages.Reseller;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class VendorOrdersModel(OrderService orders, CatalogService catalog, LicenseHubDbContext db, Pricing.PriceBook prices, TimeProvider clock)
    : PortalPageModel
{
    /// <summary>Revenue per reseller and currency: all time, and in the current calendar month (UTC).</summary>
    public IReadOnlyList<(Pricing.RevenueLine AllTime, long ThisMonthMinor)> Revenue { get; private set; } = [];

    public IReadOnlyList<OrderRow> Orders { get; private set; } = [];
    public string Next { get; private set; } = "";

    [FromQuery(Name = "after")] public string? After { get; set; }

    /// <summary>Every reseller's orders as CSV, with the reseller's id, for the vendor's reconciliation.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct) =>
        File(System.Text.Encoding.UTF8.GetBytes(await OrderRow.CsvAsync(Caller, orders, catalog, ct)), "text/csv; charset=utf-8",
            $"orders-all-resellers-{DateTime.UtcNow:yyyy-MM-dd}.csv");

    public async Task OnGetAsync(CancellationToken ct)
    {
        var (rows, next) = await OrderRow.LoadPageAsync(Caller, orders, catalog, After, PageSpec.DefaultSize, ct);
        Next = next;
        var resellerIds = rows.Select(r => r.Order.ResellerId).Distinct().ToList();
        // Company names only (corporate data), for the vendor admin who may read them.
        var names = await db.Resellers.AsNoTracking().Where(r => resellerIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.CompanyName, ct);
        Orders = rows.Select(r => r with { ResellerName = names.GetValueOrDefault(r.Order.ResellerId, r.Order.ResellerId.ToString()) }).ToList();
        var now = clock.GetUtcNow();
        var all = await prices.RevenueAsync(Caller, null, null, ct);
        var month = (await prices.RevenueAsync(Caller, new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), null, ct))
            .ToDictionary(l => (l.ResellerId, l.Currency), l => l.AmountMinor);
        Revenue = all.Select(l => (l, month.GetValueOrDefault((l.ResellerId, l.Currency)))).ToList();
    }
}
