using LicenseHub.Server.Privacy;

namespace LicenseHub.Server.Portal.Pages.Audit;

public sealed class PiiScanModel(PiiScanner scanner) : PortalPageModel
{
    public IReadOnlyList<PiiFinding>? Findings { get; private set; }
    public long Scanned { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct) => (Findings, Scanned) = await scanner.ScanAsync(Caller, ct);
}
