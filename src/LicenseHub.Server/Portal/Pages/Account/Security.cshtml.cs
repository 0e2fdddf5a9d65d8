using System.Text;
using LicenseHub.Data.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Account;

/// <summary>Optional TOTP two-factor sign-in, with Identity's authenticator token provider.</summary>
[Requires(Permission.Authenticated)]
public sealed class SecurityModel(UserManager<StaffUser> users, SignInManager<StaffUser> signIn, IUserStore<StaffUser> store) : PortalPageModel
{
    public string FormattedKey { get; private set; } = "";

    public string AuthenticatorUri { get; private set; } = "";

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    [BindProperty(Name = "code")]
    public string? Code { get; set; }

    public async Task OnGetAsync() => await LoadKeyAsync();

    public async Task<IActionResult> OnPostEnableAsync()
    {
        var user = Staff;
        var code = (Code ?? "").Replace(" ", "").Replace("-", "");
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            FieldErrors["code"] = "This code is not valid. Enter the 6 digits the app shows now.";
            await LoadKeyAsync();
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 8))?.ToList();
        await signIn.RefreshSignInAsync(user);
        Notice = "Two-factor sign-in is on.";
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        var user = Staff;
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        return Done("Two-factor sign-in is off.", "/Account/Security");
    }

    private async Task LoadKeyAsync()
    {
        var user = Staff;
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // The first key, not yet confirmed by a code: set without renewing the security stamp (UserManager's
            // ResetAuthenticatorKeyAsync renews it), so that opening this page ends none of the member's sessions.
            // Turning two-factor sign-in on or off renews the stamp, and then the other sessions do end.
            await ((IUserAuthenticatorKeyStore<StaffUser>)store).SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(),
                HttpContext.RequestAborted);
            ThrowIfFailed(await users.UpdateAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user) ?? "";
        }
        var formatted = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            formatted.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        FormattedKey = formatted.ToString().TrimEnd().ToLowerInvariant();
        AuthenticatorUri = $"otpauth://totp/LicenseHub:{Uri.EscapeDataString(user.Email ?? "")}?secret={key}&issuer=LicenseHub&digits=6";
        AuthenticatorQrSvg = QrSvg(AuthenticatorUri);
    }

    /// <summary>The enrolment link as a QR code an authenticator app scans: SVG drawn by QRCoder, no image request, nothing sent anywhere.</summary>
    public string AuthenticatorQrSvg { get; private set; } = "";

    /// <summary>The QR code of <paramref name="text"/> as SVG markup (error correction M, no fixed size).</summary>
    public static string QrSvg(string text)
    {
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCoder.QRCodeGenerator.ECCLevel.M);
        return new QRCoder.SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: QRCoder.SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    private static void ThrowIfFailed(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("The authenticator key could not be saved: "
                + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
