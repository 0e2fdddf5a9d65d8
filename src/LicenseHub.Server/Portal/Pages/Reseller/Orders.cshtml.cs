using LicenseHub.Server.Catalog;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Pools;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerRead)]
public sealed class ResellerOrdersModel(OrderService orders, CatalogService catalog) : PortalPageModel
{
    public IReadOnlyList<OrderRow> Orders { get; private set; } = [];
    public string Next { get; private set; } = "";

    [FromQuery(Name = "after")]
    public string? After { get; set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        (Orders, Next) = await OrderRow.LoadPageAsync(Caller, orders, catalog, After, PageSpec.DefaultSize, ct);

    /// <summary>Every order as CSV, for reconciliation with the reseller's own invoices (the idempotency keys).</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct) =>
        File(System.Text.Encoding.UTF8.GetBytes(await OrderRow.CsvAsync(Caller, orders, catalog, ct)), "text/csv; charset=utf-8",
            $"orders-{DateTime.UtcNow:yyyy-MM-dd}.csv");
}
