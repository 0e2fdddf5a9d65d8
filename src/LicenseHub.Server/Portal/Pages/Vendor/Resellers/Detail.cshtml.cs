using LicenseHub.Server.Staff;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Portal.Pages.Reseller;
using LicenseHub.Server.Resellers;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor.Resellers;

[Requires(Permission.VendorAdmin)]
public sealed class ResellerDetailModel(ResellerAccounts accounts, OrderService orders, CatalogService catalog, StaffDirectory staff)
    : StaffPageModel(staff)
{
    public Domain.Resellers.Reseller Reseller { get; private set; } = null!;
    public IReadOnlyList<PoolRow> Pools { get; private set; } = [];
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public string? NewKey { get; private set; }

    [FromRoute(Name = "id")] public Guid Id { get; set; }
    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }
    [BindProperty(Name = "reason")] public string? Reason { get; set; }
    [BindProperty(Name = "key_name")] public string? KeyName { get; set; }

    protected override Guid? ResellerScope => Id;

    public override IReadOnlyList<ApiKeyRole> Roles => [ApiKeyRole.Owner, ApiKeyRole.Manager, ApiKeyRole.Viewer];

    public override bool Manage => true;

    protected override object? RouteValues => new { id = Id };

    public Task OnGetAsync([FromQuery(Name = "remove")] string? remove, CancellationToken ct) => LoadAsync(remove, ct);

    public async Task<IActionResult> OnPostSuspendAsync(CancellationToken ct)
    {
        if (await TryAsync(() => accounts.SuspendAsync(Caller, Id.ToString(), Reason, ct)))
        {
            return Done("The reseller is suspended.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        Confirm = "suspend";
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostResumeAsync(CancellationToken ct)
    {
        if (await TryAsync(() => accounts.ResumeAsync(Caller, Id.ToString(), ct)))
        {
            return Done("The reseller is active again.", "/Vendor/Resellers/Detail", new { id = Id });
        }
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostKeyAsync(CancellationToken ct)
    {
        if (await TryAsync(async () => (_, NewKey) = await accounts.CreateResellerKeyAsync(Caller, Id.ToString(), KeyName, ApiKeyRole.Owner, ct)))
        {
            KeyName = null;
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(null, ct);
        return Page();
    }

    protected override async Task LoadAsync(string? remove, CancellationToken ct)
    {
        Reseller = await accounts.GetAsync(Caller, Id.ToString(), ct);
        var (pools, _) = await orders.ListPoolsAsync(Caller, Id, 100, null, ct);
        var plans = (await catalog.ListPlansAsync(Caller, null, ct)).ToDictionary(p => p.Id);
        Pools = pools.Select(p => new PoolRow(p, plans.TryGetValue(p.PlanId, out var plan) ? ResellerDashboardModel.PlanName(plan) : p.PlanId.ToString())).ToList();
        Keys = await accounts.ListKeysAsync(Caller, Id.ToString(), ct);
        await LoadStaffAsync(remove, ct);
    }
}
