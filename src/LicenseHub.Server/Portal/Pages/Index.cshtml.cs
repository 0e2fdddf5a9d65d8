using LicenseHub.Server.Security;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal.Pages;

/// <summary>Each role starts where its work is.</summary>
[Requires(Permission.Authenticated)]
public sealed class IndexModel : PortalPageModel
{
    public IActionResult OnGet() =>
        Caller.ResellerId is not null ? Redirect("/reseller")
        : Caller.Has(Permission.VendorAdmin) ? Redirect("/vendor/overview")
        : Redirect("/audit");
}
