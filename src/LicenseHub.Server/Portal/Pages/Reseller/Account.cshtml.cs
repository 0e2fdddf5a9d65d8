using System.Text;
using LicenseHub.Data.Identity;
using LicenseHub.Server.Privacy;
using LicenseHub.Server.Resellers;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller;

/// <summary>The reseller's data rights, each one call of <see cref="ResellerDataRights"/> and each audited.</summary>
[Requires(Permission.ResellerRead)]
public sealed class AccountModel(ResellerAccounts accounts, ResellerDataRights rights, SignInManager<StaffUser> signIn) : PortalPageModel
{
    public Domain.Resellers.Reseller Account { get; private set; } = null!;
    public IReadOnlyList<string>? DeletedErased { get; private set; }
    public IReadOnlyList<string>? DeletedKept { get; private set; }

    [BindProperty(Name = "company_name")] public string? CompanyName { get; set; }
    [BindProperty(Name = "country")] public string? Country { get; set; }
    [BindProperty(Name = "vat_id")] public string? VatId { get; set; }
    [BindProperty(Name = "billing_contact_name")] public string? BillingContactName { get; set; }
    [BindProperty(Name = "billing_contact_email")] public string? BillingContactEmail { get; set; }
    [BindProperty(Name = "restricted")] public bool Restricted { get; set; }
    [BindProperty(Name = "confirm_reseller_id")] public string? ConfirmResellerId { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        CompanyName = Account.CompanyName;
        Country = Account.Country;
        VatId = Account.VatId;
        BillingContactName = Account.BillingContactName;
        BillingContactEmail = Account.BillingContactEmail;
    }

    [Requires(Permission.ResellerManageAccount)]
    public async Task<IActionResult> OnPostProfileAsync(CancellationToken ct)
    {
        var current = await accounts.GetAsync(Caller, null, ct);
        // Only what changed is sent, so the audit trail names exactly the corrected fields.
        string? Changed(string? value, string? stored) => (value ?? "").Trim() == (stored ?? "") ? null : value ?? "";
        var change = new ProfileChange(Changed(CompanyName, current.CompanyName), Changed(Country, current.Country), Changed(VatId, current.VatId),
            Changed(BillingContactName, current.BillingContactName), Changed(BillingContactEmail, current.BillingContactEmail));
        if (change == new ProfileChange(null, null, null, null, null))
        {
            return Done("Nothing was changed.", "/Reseller/Account");
        }
        if (await TryAsync(() => rights.UpdateProfileAsync(Caller, change, ct)))
        {
            return Done("The profile is corrected.", "/Reseller/Account");
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostExportAsync(CancellationToken ct)
    {
        var json = await rights.ExportAsync(Caller, ct);
        Response.Headers.CacheControl = "no-store";
        return File(Encoding.UTF8.GetBytes(json), "application/json", $"licensehub-account-{Caller.ResellerId}.json");
    }

    [Requires(Permission.ResellerManageAccount)]
    public async Task<IActionResult> OnPostRestrictAsync(CancellationToken ct)
    {
        if (await TryAsync(() => rights.SetRestrictionAsync(Caller, Restricted, ct)))
        {
            return Done(Restricted ? "Processing is restricted." : "The restriction is lifted.", "/Reseller/Account");
        }
        await OnGetAsync(ct);
        return Page();
    }

    [Requires(Permission.ResellerManageAccount)]
    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken ct)
    {
        IReadOnlyList<string> erased = [], kept = [];
        if (await TryAsync(async () => (erased, kept) = await rights.DeleteAccountAsync(Caller, ConfirmResellerId, ct)))
        {
            await signIn.SignOutAsync();
            DeletedErased = erased;
            DeletedKept = kept;
            HttpContext.Items.Remove(PortalPageFilter.StaffItem);
            return Page();
        }
        await OnGetAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) => Account = await accounts.GetAsync(Caller, null, ct);
}
