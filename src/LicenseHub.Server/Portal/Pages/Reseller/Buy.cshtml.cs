using LicenseHub.Server.Security;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Pricing;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Persistence;
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
        // Retired plans are no longer sold.
        Plans = (await catalog.ListPlansAsync(Caller, null, ct)).Where(p => !p.Retired).ToList();
        Orders = await OrderRow.LoadAsync(Caller, orders, catalog, null, 10, ct);
    }
}

/// <summary>An order as the order tables and the CSV show it: with its plans' names and the licenses it covered.</summary>
public sealed record OrderRow(OrderView View, string PlanName, string? PlanCode, string? FromPlanName, string? FromPlanCode, string? ResellerName = null)
{
    public Order Order => View.Order;

    public Money Amount => new(Order.AmountMinor, Order.Currency);

    /// <summary>What the order covered, in words: "2 terms of 3 licenses", "upgrade of 1 license from Basic".</summary>
    public string Covered => Order.Kind switch
    {
        OrderKind.Purchase => $"{Order.Quantity:#,##0} license(s) into the pool",
        OrderKind.Renewal => $"{Order.Terms} term(s) of {Order.Quantity:#,##0} license(s)" + (FromPlanName is null ? "" : $", moved from {FromPlanName}"),
        OrderKind.Upgrade => $"{Order.Quantity:#,##0} license(s) upgraded from {FromPlanName}",
        OrderKind.Return => $"{Order.Quantity:#,##0} license(s) returned to the pool",
        _ => "",
    };

    /// <summary>The one license the order covered, for a link; null for a purchase or several licenses.</summary>
    public Guid? OnlyLicense => View.LicenseIds.Count == 1 ? View.LicenseIds[0] : null;

    public OrderCsvRow ToCsv() => new(Order.Id, Order.CreatedAt, Order.Kind, Order.ResellerId, Order.PlanId, PlanCode, Order.FromPlanId, FromPlanCode,
        Order.Quantity, Order.Terms, Amount, Order.IdempotencyKey, Order.PoolId, View.LicenseIds);

    public static async Task<IReadOnlyList<OrderRow>> LoadAsync(Caller caller, OrderService orders, CatalogService catalog,
        string? pageToken, int pageSize, CancellationToken ct) =>
        (await LoadPageAsync(caller, orders, catalog, pageToken, pageSize, ct)).Rows;

    /// <summary>Every order the caller may see, as the reconciliation CSV (the same columns as lhctl order list --csv).</summary>
    public static async Task<string> CsvAsync(Caller caller, OrderService orders, CatalogService catalog, CancellationToken ct)
    {
        var rows = new List<OrderCsvRow>();
        var token = "";
        do
        {
            (var page, token) = await LoadPageAsync(caller, orders, catalog, token, PageSpec.MaxSize, ct);
            rows.AddRange(page.Select(r => r.ToCsv()));
        } while (token.Length > 0);
        return OrderCsv.Format(rows, withReseller: caller.IsVendor);
    }

    public static async Task<(IReadOnlyList<OrderRow> Rows, string Next)> LoadPageAsync(Caller caller, OrderService orders,
        CatalogService catalog, string? pageToken, int pageSize, CancellationToken ct)
    {
        var (items, next) = await orders.ListAsync(caller, null, pageSize, pageToken, ct);
        var plans = (await catalog.ListPlansAsync(caller, null, ct)).ToDictionary(p => p.Id);
        string Name(Guid id) => plans.TryGetValue(id, out var p) ? ResellerDashboardModel.PlanName(p) : id.ToString();
        return (items.Select(v => new OrderRow(v, Name(v.Order.PlanId), plans.GetValueOrDefault(v.Order.PlanId)?.Code,
            v.Order.FromPlanId is { } from ? Name(from) : null, v.Order.FromPlanId is { } f ? plans.GetValueOrDefault(f)?.Code : null)).ToList(), next);
    }
}
