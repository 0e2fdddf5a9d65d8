using LicenseHub.Domain.Signing;
using LicenseHub.Server.Signing;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class SigningKeysModel(SigningKeyRotation rotation, RootOfTrust trust) : PortalPageModel
{
    public IReadOnlyList<SigningKey> Keys { get; private set; } = [];

    /// <summary>The roots in the trust anchor agents and products pin.</summary>
    public IReadOnlyList<RootKey> Roots { get; private set; } = [];

    /// <summary>Which anchor root certifies each key, or why none does.</summary>
    public string Certification(SigningKey key)
    {
        var anchor = LicenseHub.Tokens.TrustAnchor.Of(Roots.Select(r => LicenseHub.Tokens.JsonWebKey.FromPublicKey(r.Kid, r.PublicKey)));
        return anchor.Certify(SigningKeyStore.Published(key), out var problem) is { } certificate
            ? $"{certificate.RootKeyId}, for tokens issued until {certificate.ExpiresAt:yyyy-MM-dd}"
            : "not certified: " + problem;
    }

    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }

    public bool ConfirmRotate => Confirm == "rotate";

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Keys = await rotation.ListAsync(Caller, ct);
        Roots = (await trust.ListAsync(ct)).Where(r => r.InAnchor).ToList();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        SigningKey? active = null;
        if (await TryAsync(async () => (active, _) = await rotation.RotateAsync(Caller, ct)))
        {
            return Done($"Rotated: new tokens are signed with {active!.Kid}.", "/Vendor/SigningKeys");
        }
        await LoadAsync(ct);
        return Page();
    }
}
