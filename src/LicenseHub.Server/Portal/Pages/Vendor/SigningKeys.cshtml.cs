using LicenseHub.Domain.Signing;
using LicenseHub.Server.Signing;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class SigningKeysModel(SigningKeyRotation rotation) : PortalPageModel
{
    public IReadOnlyList<SigningKey> Keys { get; private set; } = [];

    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }

    public bool ConfirmRotate => Confirm == "rotate";

    public async Task OnGetAsync(CancellationToken ct) => Keys = await rotation.ListAsync(Caller, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        SigningKey? active = null;
        if (await TryAsync(async () => (active, _) = await rotation.RotateAsync(Caller, ct)))
        {
            return Done($"Rotated: new tokens are signed with {active!.Kid}.", "/Vendor/SigningKeys");
        }
        Keys = await rotation.ListAsync(Caller, ct);
        return Page();
    }
}
