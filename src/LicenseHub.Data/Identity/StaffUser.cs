using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Security;
using Microsoft.AspNetCore.Identity;

namespace LicenseHub.Data.Identity;

/// <summary>
/// A person who signs in to the portal: reseller staff (with the reseller's id) or vendor staff. Passwords,
/// lockout and two-factor are ASP.NET Core Identity's.
/// </summary>
public sealed class StaffUser : IdentityUser<Guid>
{
    [OperationalData, Purpose("reseller the staff member works for; empty for vendor staff"), Retention(Retention.AccountLifetime)]
    public Guid? ResellerId { get; set; }

    [OperationalData, Purpose("authorisation"), Retention(Retention.AccountLifetime)]
    public ApiKeyRole Role { get; set; }

    [LicenseHub.Domain.Classification.PersonalData, Purpose("how the staff member is addressed in the portal"), Retention(Retention.AccountLifetime)]
    public string? DisplayName { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.AccountLifetime)]
    public DateTimeOffset CreatedAt { get; set; }
}
