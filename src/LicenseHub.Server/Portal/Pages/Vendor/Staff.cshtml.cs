using LicenseHub.Server.Staff;
using LicenseHub.Domain.Security;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

[Requires(Permission.VendorAdmin)]
public sealed class VendorStaffModel(StaffDirectory staff) : StaffPageModel(staff)
{
    protected override Guid? ResellerScope => null;

    public override IReadOnlyList<ApiKeyRole> Roles => [ApiKeyRole.VendorAdmin, ApiKeyRole.VendorAuditor];

    public override bool Manage => true;

    public Task OnGetAsync([FromQuery(Name = "remove")] string? remove, CancellationToken ct) => LoadStaffAsync(remove, ct);
}
