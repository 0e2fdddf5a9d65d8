using LicenseHub.Domain.Resellers;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Resellers;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class ResellersModel(ResellerAccounts accounts) : PortalPageModel
{
    public IReadOnlyList<Domain.Resellers.Reseller> Resellers { get; private set; } = [];
    public string Next { get; private set; } = "";

    [FromQuery(Name = "status")] public string? Status { get; set; }
    [FromQuery(Name = "after")] public string? After { get; set; }
    [BindProperty(Name = "company_name")] public string? CompanyName { get; set; }
    [BindProperty(Name = "country")] public string? Country { get; set; }
    [BindProperty(Name = "vat_id")] public string? VatId { get; set; }
    [BindProperty(Name = "billing_contact_name")] public string? BillingContactName { get; set; }
    [BindProperty(Name = "billing_contact_email")] public string? BillingContactEmail { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Domain.Resellers.Reseller? created = null;
        if (await TryAsync(async () => created = await accounts.CreateAsync(Caller,
                new NewReseller(CompanyName ?? "", Country ?? "", VatId ?? "", BillingContactName ?? "", BillingContactEmail ?? ""), ct)))
        {
            return Done($"{created!.CompanyName} was added. Create its first owner below.", "/Vendor/Resellers/Detail", new { id = created.Id });
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        ResellerStatus? status = Status switch { "active" => ResellerStatus.Active, "suspended" => ResellerStatus.Suspended, _ => null };
        (Resellers, Next) = await accounts.ListAsync(Caller, PageSpec.DefaultSize, After, status, ct);
    }
}
