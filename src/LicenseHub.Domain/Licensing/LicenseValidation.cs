namespace LicenseHub.Domain.Licensing;

/// <summary>
/// What a license check looks at: the license's stored state and term, the product it is for and its plan's
/// machine limit, and what the agent presents. Read under the lock that makes the decision true.
/// </summary>
/// <param name="State">The stored state of the license.</param>
/// <param name="ExpiresAt">The end of the license term.</param>
/// <param name="LicensedProduct">The product code of the license's plan.</param>
/// <param name="MaxMachines">The plan's machine limit.</param>
/// <param name="Now">The time of the check.</param>
public sealed record LicenseFacts(LicenseState State, DateTimeOffset ExpiresAt, string LicensedProduct, int MaxMachines, DateTimeOffset Now);

/// <summary>What the agent presents to a license check.</summary>
/// <param name="Fingerprint">The fingerprint the agent computed on this machine.</param>
/// <param name="RequestedProduct">The product the agent runs for, when it says so (activation).</param>
/// <param name="BoundFingerprint">The fingerprint of the installation whose credential was presented (check-in).</param>
/// <param name="IsNewMachine">Whether a new installation would be created (activation of a machine not yet active).</param>
/// <param name="Machines">Installations the license has now.</param>
/// <param name="CloneSuspected">Whether the installation presented (check-in) or found (activation) is suspected of running on a copy.</param>
public sealed record LicenseRequest(string Fingerprint, string? RequestedProduct = null, string? BoundFingerprint = null, bool IsNewMachine = false,
    int Machines = 0, bool CloneSuspected = false);

/// <summary>
/// The one ordered list of license checks that activation, check-in and offline license files share: the
/// first check that fails is the answer. The order is the product's: a credential from another machine is
/// refused before anything about the license is told to it, and so is an installation suspected of running on
/// copies (which copy is the genuine one is not known); a license that cannot be used is refused before its
/// product or machine count matter.
/// </summary>
public static class LicenseValidation
{
    private static readonly (ValidationCode Code, Func<LicenseFacts, LicenseRequest, bool> Fails)[] Checks =
    [
        (ValidationCode.FingerprintMismatch, (_, r) => r.BoundFingerprint is not null && r.BoundFingerprint != r.Fingerprint),
        (ValidationCode.CloneSuspected, (_, r) => r.CloneSuspected),
        (ValidationCode.Revoked, (l, _) => l.State == LicenseState.Revoked),
        (ValidationCode.Suspended, (l, _) => l.State == LicenseState.Suspended),
        (ValidationCode.Expired, (l, _) => License.EffectiveStateOf(l.State, l.ExpiresAt, l.Now) == LicenseState.Expired),
        (ValidationCode.ProductMismatch, (l, r) => r.RequestedProduct is not null && r.RequestedProduct != l.LicensedProduct),
        (ValidationCode.TooManyMachines, (l, r) => r.IsNewMachine && r.Machines >= l.MaxMachines),
    ];

    /// <summary>The answer for <paramref name="request"/> against <paramref name="license"/>.</summary>
    public static ValidationCode Validate(LicenseFacts license, LicenseRequest request)
    {
        foreach (var (code, fails) in Checks)
        {
            if (fails(license, request))
            {
                return code;
            }
        }
        return ValidationCode.Valid;
    }

    /// <summary>What an agent's operator is told for a refusal.</summary>
    public static string Describe(ValidationCode code, LicenseFacts? license = null) => code switch
    {
        ValidationCode.Valid => "Valid.",
        ValidationCode.Suspended => "The license is suspended; contact your provider.",
        ValidationCode.Revoked => "The license has been revoked.",
        ValidationCode.Expired => "The license has expired; ask your provider to renew it.",
        ValidationCode.FingerprintMismatch => "This credential belongs to another machine; activate this machine with its own license.",
        ValidationCode.ProductMismatch => $"This license is for product '{license?.LicensedProduct}'.",
        ValidationCode.TooManyMachines => $"The license is already active on {license?.MaxMachines} machine(s); release one first.",
        ValidationCode.NotFound => "No license has this key.",
        ValidationCode.InstallationReleased => "This installation is no longer registered (released or forgotten); activate again.",
        ValidationCode.CloneSuspected => "This installation is in use on more than one machine (a copied disk or cloned VM?), so the license server "
            + "stopped licensing it on all of them. Ask your reseller to release it or to re-activate it; then activate the genuine machine "
            + "again with the license key.",
        _ => code.ToString(),
    };
}
