using LicenseHub.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages;

[Requires(Permission.Authenticated)]
public sealed class SignOutModel(SignInManager<StaffUser> signIn) : PortalPageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage("/SignIn");
    }
}
