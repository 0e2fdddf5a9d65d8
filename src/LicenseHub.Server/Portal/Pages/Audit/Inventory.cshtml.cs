using System.Text;
using LicenseHub.Server.Privacy;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Audit;

[Requires(Permission.VendorAudit)]
public sealed class InventoryModel(DataInventoryBuilder inventory, TimeProvider clock) : PortalPageModel
{
    public IReadOnlyList<InventoryTableView> Tables { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Tables = await inventory.BuildAsync(Caller, ct);

    public async Task<IActionResult> OnPostMarkdownAsync(CancellationToken ct)
    {
        var tables = await inventory.BuildAsync(Caller, ct);
        var now = clock.GetUtcNow();
        return File(Encoding.UTF8.GetBytes(DataInventoryBuilder.ToMarkdown(tables, now)), "text/markdown; charset=utf-8",
            $"licensehub-data-inventory-{now:yyyyMMdd}.md");
    }
}
