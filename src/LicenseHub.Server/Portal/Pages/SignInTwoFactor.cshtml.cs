using LicenseHub.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;

namespace LicenseHub.Server.Portal.Pages;

[AllowAnonymous]
public sealed class SignInTwoFactorModel(SignInManager<StaffUser> signIn) : PortalPageModel
{
    [BindProperty(Name = "code")]
    public string? Code { get; set; }

    [BindProperty(Name = "returnUrl", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("/SignIn") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return RedirectToPage("/SignIn");
        }
        var code = (Code ?? "").Replace(" ", "").Replace("-", "").Trim();
        if (code.Length == 0)
        {
            FieldErrors["code"] = "Enter the code from your authenticator app.";
            return Page();
        }
        var result = code.Length == 6 && code.All(char.IsDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.IsLockedOut)
        {
            Error = "This account is locked after too many failed attempts. Try again in 15 minutes.";
            return Page();
        }
        if (!result.Succeeded)
        {
            FieldErrors["code"] = "This code is not valid. Codes change every 30 seconds; check the time on your device.";
            return Page();
        }
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
