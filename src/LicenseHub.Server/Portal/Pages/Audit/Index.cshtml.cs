using LicenseHub.Server.Security;
namespace LicenseHub.Server.Portal.Pages.Audit;

[Requires(Permission.VendorAudit)]
public sealed class UsageModel(PortalQueries queries) : PortalPageModel
{
    public int Days => 30;
    public IReadOnlyList<DayCount> PerDay { get; private set; } = [];
    public int Suppressed { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => (PerDay, Suppressed) = await queries.AnonymousInstallationsAsync(Caller, Days, ct);
}
