using LicenseHub.Server.Privacy;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Audit;

[Requires(Permission.VendorAudit)]
public sealed class RetentionModel(RetentionReporter reporter) : PortalPageModel
{
    public IReadOnlyList<RetentionEntryView> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Entries = await reporter.ReportAsync(Caller, ct);
}
