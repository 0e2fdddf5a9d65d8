using LicenseHub.Server.Staff;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Portal.Pages.Reseller;
using LicenseHub.Server.Resellers;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor.Resellers;

[Requires(Permission.VendorAdmin)]
public sealed class ResellerDetailModel(ResellerAccounts accounts, OrderService orders, CatalogService catalog, StaffDirectory staff,
    Pricing.PriceBook prices) : StaffPageModel(staff)
{
    public Domain.Resellers.Reseller Reseller { get; private set; } = null!;
    public IReadOnlyList<PoolRow> Pools { get; private set; } = [];
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public string? NewKey { get; private set; }
    public IReadOnlyList<Pricing.PriceLine> Prices { get; private set; } = [];
    public IReadOnlyList<Domain.Catalog.Plan> Plans { get; private set; } = [];

    [BindProperty(Name = "plan_id")] public string? PlanId { get; set; }
    [BindProperty(Name = "price")] public string? Price { get; set; }
    [BindProperty(Name = "discount_percent")] public string? DiscountPercent { get; set; }
    [BindProperty(Name = "trials_per_month")] public string? TrialsPerMonth { get; set; }

    [FromRoute(Name = "id")] public Guid Id { get; set; }
    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }
    [BindProperty(Name = "reason")] public string? Reason { get; set; }
    [BindProperty(Name = "key_name")] public string? KeyName { get; set; }

    protected override Guid? ResellerScope => Id;

    public override IReadOnlyList<ApiKeyRole> Roles => [ApiKeyRole.Owner, ApiKeyRole.Manager, ApiKeyRole.Viewer];

    public override bool Manage => true;

    protected override object? RouteValues => new { id = Id };

    public Task OnGetAsync([FromQuery(Name = "remove")] string? remove, CancellationToken ct) => LoadAsync(remove, ct);

    public async Task<IActionResult> OnPostSuspendAsync(CancellationToken ct)
    {
        if (await TryAsync(() => accounts.SuspendAsync(Caller, Id.ToString(), Reason, ct)))
        {
            return Done("The reseller is suspended.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        Confirm = "suspend";
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostResumeAsync(CancellationToken ct)
    {
        if (await TryAsync(() => accounts.ResumeAsync(Caller, Id.ToString(), ct)))
        {
            return Done("The reseller is active again.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostKeyAsync(CancellationToken ct)
    {
        if (await TryAsync(async () => (_, NewKey) = await accounts.CreateResellerKeyAsync(Caller, Id.ToString(), KeyName, ApiKeyRole.Owner, ct)))
        {
            KeyName = null;
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(null, ct);
        return Page();
    }

    /// <summary>One line of the reseller's price list: an explicit price for a plan, or a discount for a plan or every plan.</summary>
    public async Task<IActionResult> OnPostPriceAsync(CancellationToken ct)
    {
        long? priceMinor = null;
        string? currency = null;
        if (!string.IsNullOrWhiteSpace(Price))
        {
            var plan = Guid.TryParse(PlanId, out var planId) ? (await catalog.ListPlansAsync(Caller, null, ct)).FirstOrDefault(p => p.Id == planId) : null;
            if (plan is null)
            {
                FieldErrors["plan_id"] = "Choose the plan an explicit price is for; a line for every plan is a discount.";
            }
            else if (Domain.Pricing.Money.TryParse(Price, plan.Currency, out var money, out var error))
            {
                (priceMinor, currency) = (money.AmountMinor, plan.Currency);
            }
            else
            {
                FieldErrors["price.amount_minor"] = $"The price {error}.";
            }
        }
        if (FieldErrors.Count == 0 && await TryAsync(() => prices.SetAsync(Caller, Id.ToString(), PlanId, priceMinor, currency, null,
                string.IsNullOrWhiteSpace(DiscountPercent) ? null : DiscountPercent.Trim().TrimEnd('%'), ct)))
        {
            return Done("The price list was updated; the reseller's next orders use it.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        if (FieldErrors.Remove("price", out var both))
        {
            FieldErrors["discount_percent"] = both;
        }
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRemovePriceAsync(CancellationToken ct)
    {
        if (await TryAsync(() => prices.RemoveAsync(Caller, Id.ToString(), PlanId, ct)))
        {
            return Done("The line was removed; list prices apply to it again.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTrialQuotaAsync(CancellationToken ct)
    {
        if (!int.TryParse(TrialsPerMonth, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var quota))
        {
            FieldErrors["trials_per_month"] = "Enter a whole number.";
        }
        else if (await TryAsync(() => accounts.SetTrialQuotaAsync(Caller, Id.ToString(), quota, ct)))
        {
            return Done("The trial quota was set.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        await LoadAsync(null, ct);
        return Page();
    }

    protected override async Task LoadAsync(string? remove, CancellationToken ct)
    {
        Prices = await prices.ListAsync(Caller, Id.ToString(), ct);
        Reseller = await accounts.GetAsync(Caller, Id.ToString(), ct);
        var (pools, _) = await orders.ListPoolsAsync(Caller, Id, 100, null, ct);
        var all = await catalog.ListPlansAsync(Caller, null, ct);
        Plans = all.Where(p => !p.Trial).ToList();
        var plans = all.ToDictionary(p => p.Id);
        Pools = pools.Select(p => new PoolRow(p, plans.TryGetValue(p.PlanId, out var plan) ? ResellerDashboardModel.PlanName(plan) : p.PlanId.ToString())).ToList();
        Keys = await accounts.ListKeysAsync(Caller, Id.ToString(), ct);
        await LoadStaffAsync(remove, ct);
    }
}
