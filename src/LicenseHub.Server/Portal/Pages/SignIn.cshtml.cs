using LicenseHub.Data;
using LicenseHub.Data.Identity;
using LicenseHub.Domain.Resellers;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authorization;

namespace LicenseHub.Server.Portal.Pages;

[AllowAnonymous]
public sealed class SignInModel(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, LicenseHubDbContext db) : PortalPageModel
{
    [BindProperty(Name = "email")]
    public string? Email { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "returnUrl", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [FromQuery(Name = "ended")]
    public string? Ended { get; set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true && Ended is null ? Redirect("/") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email))
        {
            FieldErrors["email"] = "Enter your e-mail address.";
        }
        if (string.IsNullOrEmpty(Password))
        {
            FieldErrors["password"] = "Enter your password.";
        }
        if (FieldErrors.Count > 0)
        {
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(Email!.Trim(), Password!, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            Error = "This account is locked after 5 failed sign-ins. Try again in 15 minutes, or ask an administrator to unlock it.";
            return Page();
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/SignInTwoFactor", new { returnUrl = ReturnUrl });
        }
        if (!result.Succeeded)
        {
            Error = "The e-mail address or the password is not correct.";
            return Page();
        }
        var user = await users.FindByNameAsync(Email.Trim());
        if (user?.ResellerId is { } resellerId
            && !await db.Resellers.AnyAsync(r => r.Id == resellerId && r.Status == ResellerStatus.Active, HttpContext.RequestAborted))
        {
            await signIn.SignOutAsync();
            Error = "Your reseller account is suspended. Contact the vendor.";
            return Page();
        }
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
