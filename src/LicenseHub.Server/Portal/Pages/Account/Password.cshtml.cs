using LicenseHub.Server.Staff;
using System.Security.Claims;
using LicenseHub.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Account;

[Requires(Permission.Authenticated)]
public sealed class PasswordModel(UserManager<StaffUser> users, SignInManager<StaffUser> signIn) : PortalPageModel
{
    [BindProperty(Name = "current_password")]
    public string? CurrentPassword { get; set; }

    [BindProperty(Name = "password")]
    public string? NewPassword { get; set; }

    [BindProperty(Name = "confirm_password")]
    public string? ConfirmPassword { get; set; }

    public bool Required => User.HasClaim(c => c.Type == StaffDirectory.PasswordChangeRequired);

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrEmpty(CurrentPassword))
        {
            FieldErrors["current_password"] = "Enter your current password.";
        }
        if (string.IsNullOrEmpty(NewPassword))
        {
            FieldErrors["password"] = "Enter a new password.";
        }
        else if (NewPassword != ConfirmPassword)
        {
            FieldErrors["confirm_password"] = "The two new passwords are not the same.";
        }
        else if (NewPassword == CurrentPassword)
        {
            FieldErrors["password"] = "Choose a password different from the current one.";
        }
        if (FieldErrors.Count > 0)
        {
            return Page();
        }
        var user = Staff;
        var result = await users.ChangePasswordAsync(user, CurrentPassword!, NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code == "PasswordMismatch" ? "current_password" : "password";
                FieldErrors[field] = error.Code == "PasswordMismatch" ? "The current password is not correct." : error.Description;
            }
            return Page();
        }
        foreach (var claim in (await users.GetClaimsAsync(user)).Where(c => c.Type == StaffDirectory.PasswordChangeRequired).ToList())
        {
            await users.RemoveClaimAsync(user, claim);
        }
        await signIn.RefreshSignInAsync(user);
        Notice = "Your password has been changed.";
        return Redirect("/");
    }
}
