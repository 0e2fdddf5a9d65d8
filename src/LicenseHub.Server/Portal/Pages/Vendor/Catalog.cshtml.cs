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
        if (FieldErrors.Count == 0 && await TryAsync(() => catalog.CreatePlanAsync(Caller,
                new NewPlan(ProductId ?? "", Code ?? "", Edition ?? "", term, machines, grace, priceMinor, Currency ?? "", transfers, renewalMinor,
                    null, returnWindow, RestoreTransfersOnRenewal != "false"), ct)))
        {
            return Done("The plan was added; resellers can buy it now.", "/Vendor/Catalog");
        }
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
    }
}
