using LicenseHub.Data;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Portal.Pages.Reseller;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class VendorOrdersModel(OrderService orders, CatalogService catalog, LicenseHubDbContext db) : PortalPageModel
{
    public IReadOnlyList<OrderRow> Orders { get; private set; } = [];
    public string Next { get; private set; } = "";

    [FromQuery(Name = "after")] public string? After { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var (items, next) = await orders.ListAsync(Caller, null, 50, After, ct);
        Next = next;
        var plans = (await catalog.ListPlansAsync(Caller, null, ct)).ToDictionary(p => p.Id);
        var resellerIds = items.Select(o => o.ResellerId).Distinct().ToList();
        // Company names only (corporate data), for the vendor admin who may read them.
        var names = await db.Resellers.AsNoTracking().Where(r => resellerIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.CompanyName, ct);
        Orders = items.Select(o => new OrderRow(o,
            plans.TryGetValue(o.PlanId, out var p) ? ResellerDashboardModel.PlanName(p) : o.PlanId.ToString(),
            names.GetValueOrDefault(o.ResellerId, o.ResellerId.ToString()))).ToList();
    }
}
