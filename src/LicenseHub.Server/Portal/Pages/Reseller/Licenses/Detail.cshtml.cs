using LicenseHub.Domain.Installations;
using LicenseHub.Server.Licensing;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller.Licenses;

/// <summary>One license. Another reseller's license is not found (404), exactly like an id that does not exist.</summary>
[Requires(Permission.ResellerRead)]
public sealed class LicenseDetailModel(LicenseService licenses, OfflineLicenseService offline, TimeProvider clock) : PortalPageModel
{
    public LicenseView View { get; private set; } = null!;
    public IReadOnlyList<Installation> Installations { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }
    /// <summary>The installation a release or re-activation is for: from the confirmation link (?installation=), then posted back.</summary>
    [BindProperty(Name = "installation_id")] public string? Installation { get; set; }
    [BindProperty(Name = "activation_request")] public string? ActivationRequest { get; set; }
    public string? OfflineLicense { get; private set; }

    public string ConfirmVerb => Confirm switch
    {
        "Suspend" => "suspend it",
        "Resume" => "resume it",
        "Revoke" => "revoke it",
        "Renew" => "renew it",
        "Release" => "release the server",
        "ResolveClone" => "re-activate it",
        _ => "",
    };

    public string ConfirmHeading => Confirm switch
    {
        "Release" => "Release this server?",
        "ResolveClone" => "Re-activate this server?",
        _ => $"{Confirm} this license?",
    };

    public string ConfirmText => Confirm switch
    {
        "Suspend" => "The server(s) using it are told the license is suspended at their next check-in. You can resume it later.",
        "Resume" => "The license becomes active again at the servers' next check-in.",
        "Revoke" => "Revoking is permanent: the license stops working at the servers' next check-in and cannot be resumed or renewed. The pool is not refunded.",
        "Renew" => $"The expiry moves forward by the plan's term ({View.Plan.TermDays} days).",
        "Release" => $"The server loses this license so it can move to a new one. This uses one transfer ({View.License.TransfersUsed} of {View.Plan.TransferBudget} used so far).",
        "ResolveClone" => "The suspicion ends and the credential every copy of this installation holds stops working. Then activate the genuine "
            + "machine again with 'lh-agent activate' and the license key: it takes the installation over, and the copies stay refused. "
            + "This uses no transfer.",
        _ => "",
    };

    public async Task OnGetAsync(string id, [FromQuery(Name = "installation")] string? installation, CancellationToken ct)
    {
        // A property bound for POST is not bound on GET: the confirmation link names the installation in the query.
        Installation = installation;
        if (Confirm is not ("Suspend" or "Resume" or "Revoke" or "Renew" or "Release" or "ResolveClone"))
        {
            Confirm = null;
        }
        await LoadAsync(id, ct);
    }

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostSuspendAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.SuspendAsync(Caller, id, ct), "The license is suspended.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostResumeAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ResumeAsync(Caller, id, ct), "The license is active again.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostRevokeAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.RevokeAsync(Caller, id, ct), "The license is revoked.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostRenewAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.RenewAsync(Caller, id, ct), "The license is renewed.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostReleaseAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ReleaseInstallationAsync(Caller, id, Installation, ct), "The server was released; the license can be activated on a new one.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostResolveCloneAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ResolveClonedInstallationAsync(Caller, id, Installation, ct), "The server was re-activated: its copies are refused. Activate the genuine machine again with 'lh-agent activate' and the license key.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostOfflineAsync(string id, CancellationToken ct)
    {
        await TryAsync(async () => (OfflineLicense, _) = await offline.CreateAsync(Caller, id, ActivationRequest, ct));
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task<IActionResult> ActAsync(string id, Func<Task> action, string notice, CancellationToken ct)
    {
        if (await TryAsync(action))
        {
            return Done(notice, "/Reseller/Licenses/Detail", new { id });
        }
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task LoadAsync(string id, CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        (View, Installations) = await licenses.GetAsync(Caller, id, ct);
    }
}
