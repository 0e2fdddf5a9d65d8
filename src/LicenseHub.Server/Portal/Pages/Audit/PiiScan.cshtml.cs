using LicenseHub.Server.Privacy;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Audit;

[Requires(Permission.VendorAudit)]
public sealed class PiiScanModel(PiiScanner scanner) : PortalPageModel
{
    public IReadOnlyList<PiiFinding>? Findings { get; private set; }
    public long Scanned { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct) => (Findings, Scanned) = await scanner.ScanAsync(Caller, ct);
}
