using System.Globalization;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Pricing;
using LicenseHub.Server.Catalog;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class CatalogModel(CatalogService catalog) : PortalPageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];
    public IReadOnlyList<Plan> Plans { get; private set; } = [];
    public IReadOnlyList<Feature> Features { get; private set; } = [];

    [BindProperty(Name = "feature_product_id")] public string? FeatureProductId { get; set; }
    [BindProperty(Name = "feature_code")] public string? FeatureCode { get; set; }
    [BindProperty(Name = "feature_name")] public string? FeatureName { get; set; }
    [BindProperty(Name = "features")] public List<string> IncludedFeatures { get; set; } = [];
    [BindProperty(Name = "add_ons")] public string? AddOns { get; set; }
    [BindProperty(Name = "kind")] public string? Kind { get; set; } = "term";

    [BindProperty(Name = "product_code")] public string? ProductCode { get; set; }
    [BindProperty(Name = "product_name")] public string? ProductName { get; set; }
    [BindProperty(Name = "product_id")] public string? ProductId { get; set; }
    [BindProperty(Name = "code")] public string? Code { get; set; }
    [BindProperty(Name = "edition")] public string? Edition { get; set; }
    [BindProperty(Name = "term_days")] public string? TermDays { get; set; } = "365";
    [BindProperty(Name = "max_machines")] public string? MaxMachines { get; set; } = "1";
    [BindProperty(Name = "offline_grace_days")] public string? OfflineGraceDays { get; set; } = "7";
    [BindProperty(Name = "transfer_budget")] public string? TransferBudget { get; set; } = "3";
    [BindProperty(Name = "price")] public string? Price { get; set; }
    [BindProperty(Name = "currency")] public string? Currency { get; set; } = "EUR";
    [BindProperty(Name = "renewal_price")] public string? RenewalPrice { get; set; }
    [BindProperty(Name = "restore_transfers_on_renewal")] public string? RestoreTransfersOnRenewal { get; set; } = "true";
    [BindProperty(Name = "return_window_days")] public string? ReturnWindowDays { get; set; } = Plan.DefaultReturnWindowDays.ToString(CultureInfo.InvariantCulture);

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostProductAsync(CancellationToken ct)
    {
        if (await TryAsync(() => catalog.CreateProductAsync(Caller, ProductCode, ProductName, ct)))
        {
            return Done("The product was added.", "/Vendor/Catalog");
        }
        // The API names these fields "code" and "name"; on this page they belong to the product form.
        Rename("code", "product_code");
        Rename("name", "product_name");
        await LoadAsync(ct);
        return Page();
    }

    [BindProperty(Name = "plan_id")] public string? PlanId { get; set; }

    /// <summary>Retires a plan (no longer sold; its licenses keep working and renew) or sells it again.</summary>
    public async Task<IActionResult> OnPostRetireAsync([FromForm(Name = "retire")] bool retire, CancellationToken ct)
    {
        if (await TryAsync(() => catalog.UpdatePlanAsync(Caller, PlanId, null, null, null, null, retire, ct)))
        {
            return Done(retire ? "The plan is retired: no longer sold; its licenses keep working and renew." : "The plan is sold again.", "/Vendor/Catalog");
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostFeatureAsync(CancellationToken ct)
    {
        if (await TryAsync(() => catalog.CreateFeatureAsync(Caller, FeatureProductId, FeatureCode, FeatureName, ct)))
        {
            return Done("The feature was added; include it in plans or sell it as an add-on.", "/Vendor/Catalog");
        }
        Rename("product_id", "feature_product_id");
        Rename("code", "feature_code");
        Rename("name", "feature_name");
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>"code=price" per line, e.g. "wordpress=2.50"; the currency is the plan's.</summary>
    private List<AddOnOffer> ParseAddOns(string? currency)
    {
        var offers = new List<AddOnOffer>();
        foreach (var line in (AddOns ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || currency is null || !Money.TryParse(parts[1], currency, out var price, out _))
            {
                FieldErrors["add_ons"] = "Write one add-on per line as code=price in the plan's currency, e.g. wordpress=2.50.";
                return offers;
            }
            offers.Add(new AddOnOffer(parts[0], price.AmountMinor));
        }
        return offers;
    }

    public async Task<IActionResult> OnPostPlanAsync(CancellationToken ct)
    {
        int Number(string field, string? value)
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
            FieldErrors[field] = "Enter a whole number.";
            return 0;
        }
        var term = Number("term_days", TermDays);
        var machines = Number("max_machines", MaxMachines);
        var grace = Number("offline_grace_days", OfflineGraceDays);
        var transfers = Number("transfer_budget", TransferBudget);
        var returnWindow = Number("return_window_days", ReturnWindowDays);
        long priceMinor = 0;
        long? renewalMinor = null;
        // Without a valid currency the price cannot be read (its decimals depend on it); the service names the currency.
        if (Currencies.Normalize(Currency) is { } currency)
        {
            if (Money.TryParse(Price, currency, out var price, out var error))
            {
                priceMinor = price.AmountMinor;
            }
            else
            {
                FieldErrors["price.amount_minor"] = $"The price {error}.";
            }
            if (!string.IsNullOrWhiteSpace(RenewalPrice))
            {
                if (Money.TryParse(RenewalPrice, currency, out var renewal, out var renewalError))
                {
                    renewalMinor = renewal.AmountMinor;
                }
                else
                {
                    FieldErrors["renewal_price.amount_minor"] = $"The renewal price {renewalError}.";
                }
            }
        }
        var addOns = ParseAddOns(Currencies.Normalize(Currency));
        if (FieldErrors.Count == 0 && await TryAsync(() => catalog.CreatePlanAsync(Caller,
                new NewPlan(ProductId ?? "", Code ?? "", Edition ?? "", term, machines, grace, priceMinor, Currency ?? "", transfers, renewalMinor,
                    null, returnWindow, RestoreTransfersOnRenewal != "false", IncludedFeatures, addOns, Kind == "trial", Kind == "perpetual"), ct)))
        {
            return Done("The plan was added; resellers can buy it now.", "/Vendor/Catalog");
        }
        // Each feature's own error is shown next to the lists they were chosen in.
        foreach (var field in FieldErrors.Keys.Where(k => k.StartsWith("features[", StringComparison.Ordinal) || k.StartsWith("add_ons[", StringComparison.Ordinal)).ToList())
        {
            var target = field.StartsWith("features", StringComparison.Ordinal) ? "features" : "add_ons";
            FieldErrors.Remove(field, out var message);
            FieldErrors.TryAdd(target, message!);
        }
        Rename("trial", "kind");
        Rename("perpetual", "kind");
        await LoadAsync(ct);
        return Page();
    }

    private void Rename(string from, string to)
    {
        if (FieldErrors.Remove(from, out var message))
        {
            FieldErrors[to] = message;
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Products = await catalog.ListProductsAsync(Caller, ct);
        Plans = await catalog.ListPlansAsync(Caller, null, ct);
        Features = await catalog.ListFeaturesAsync(Caller, null, ct);
    }

    /// <summary>The code of a plan's feature row (the plans are read with their features).</summary>
    public static string Describe(Plan plan)
    {
        var included = plan.Features.Where(f => f.Included).Select(f => f.Feature?.Code ?? "").Order(StringComparer.Ordinal);
        var addOns = plan.Features.Where(f => !f.Included).Select(f => $"{f.Feature?.Code} +{PortalHtml.Money(f.AddOnPriceMinor!.Value, plan.Currency)}")
            .Order(StringComparer.Ordinal);
        var text = string.Join(", ", included.Concat(addOns));
        return text.Length == 0 ? "—" : text;
    }
}
