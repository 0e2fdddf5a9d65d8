using LicenseHub.Server.Security;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Pools;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Pools;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerBuy)]
public sealed class BuyModel(OrderService orders, CatalogService catalog) : PortalPageModel
{
    public IReadOnlyList<Plan> Plans { get; private set; } = [];
    public IReadOnlyList<OrderRow> Orders { get; private set; } = [];

    [BindProperty(Name = "plan_id")]
    public string? PlanId { get; set; }

    [BindProperty(Name = "quantity")]
    public string? Quantity { get; set; }

    /// <summary>Made when the form is shown: sending the same form twice buys once.</summary>
    [BindProperty(Name = "idempotency_key")]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync([FromQuery(Name = "plan")] string? plan, CancellationToken ct)
    {
        PlanId = plan;
        Quantity = "10";
        IdempotencyKey = "portal-" + Guid.NewGuid().ToString("N");
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        OrderResult? result = null;
        if (!int.TryParse(Quantity, out var quantity))
        {
            FieldErrors["quantity"] = "Enter a whole number of licenses.";
        }
        else if (await TryAsync(async () => result = await orders.CreateAsync(Caller, PlanId, quantity, IdempotencyKey, ct)))
        {
            var notice = result!.Replayed
                ? "This order had already been placed; nothing was bought twice."
                : $"Bought {result.Order.Quantity:#,##0} license(s). The pool now has {result.Pool.Available:#,##0} available.";
            return Done(notice, "/Reseller/Index");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Plans = await catalog.ListPlansAsync(Caller, null, ct);
        Orders = await OrderRow.LoadAsync(Caller, orders, catalog, null, 10, ct);
    }
}

public sealed record OrderRow(Order Order, string PlanName, string? ResellerName = null)
{
    public static async Task<IReadOnlyList<OrderRow>> LoadAsync(Caller caller, OrderService orders, CatalogService catalog,
        string? pageToken, int pageSize, CancellationToken ct) =>
        (await LoadPageAsync(caller, orders, catalog, pageToken, pageSize, ct)).Rows;

    public static async Task<(IReadOnlyList<OrderRow> Rows, string Next)> LoadPageAsync(Caller caller, OrderService orders,
        CatalogService catalog, string? pageToken, int pageSize, CancellationToken ct)
    {
        var (items, next) = await orders.ListAsync(caller, null, pageSize, pageToken, ct);
        var plans = (await catalog.ListPlansAsync(caller, null, ct)).ToDictionary(p => p.Id);
        return (items.Select(o => new OrderRow(o, plans.TryGetValue(o.PlanId, out var p) ? ResellerDashboardModel.PlanName(p) : o.PlanId.ToString()))
            .ToList(), next);
    }
}
