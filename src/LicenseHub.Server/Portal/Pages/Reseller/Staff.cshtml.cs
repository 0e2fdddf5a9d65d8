using LicenseHub.Server.Staff;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Security;
namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerRead)]
public sealed class ResellerStaffModel(StaffDirectory staff) : StaffPageModel(staff)
{
    protected override Guid? ResellerScope => Caller.ResellerId;

    public override IReadOnlyList<ApiKeyRole> Roles => [ApiKeyRole.Owner, ApiKeyRole.Manager, ApiKeyRole.Viewer];

    public override bool Manage => Can(Permission.ManageStaff);

    public Task OnGetAsync([Microsoft.AspNetCore.Mvc.FromQuery(Name = "remove")] string? remove, CancellationToken ct) => LoadStaffAsync(remove, ct);
}
