using LicenseHub.Domain;
using LicenseHub.Domain.Security;

namespace LicenseHub.Server.Security;

/// <summary>
/// What an operation may require of its caller. Each operation declares what it needs with
/// <see cref="RequiresAttribute"/>; <see cref="PermissionPolicy"/> alone decides which roles hold what.
/// </summary>
public enum Permission
{
    /// <summary>Any signed-in or keyed caller: the start page, one's own password, two-factor and sign-out.</summary>
    Authenticated,
    ResellerRead,
    ResellerBuy,
    ResellerAssign,
    ResellerManageLicenses,
    ResellerManageAccount,

    /// <summary>
    /// Adding, re-roling and removing portal staff: a vendor admin (any staff) or a reseller owner (its own).
    /// A permission of its own because the staff pages share their handlers between the vendor and reseller areas.
    /// </summary>
    ManageStaff,
    VendorAdmin,
    VendorAudit,
}

/// <summary>How a caller authenticated: with an API key, or as a staff member signed in to the portal.</summary>
public enum ActorKind
{
    ApiKey,
    Staff,
}

/// <summary>
/// The authenticated caller of one request: <see cref="PrincipalId"/> is the API key's id or, for
/// <see cref="ActorKind.Staff"/>, the staff user's id.
/// </summary>
public sealed record Caller(Guid PrincipalId, ApiKeyRole Role, Guid? ResellerId, ActorKind Kind = ActorKind.ApiKey)
{
    /// <summary>Identifier written to the audit trail (never the key itself).</summary>
    public string ActorId => Kind == ActorKind.Staff ? $"staff:{PrincipalId}" : $"apikey:{PrincipalId}";

    public bool IsVendor => Role is ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor;

    /// <summary>Whether this caller is that staff member signed in (rules such as "not your own role").</summary>
    public bool IsStaffMember(Guid userId) => Kind == ActorKind.Staff && PrincipalId == userId;

    /// <summary>
    /// For showing or hiding what a page offers. Operations are not guarded with this: they declare
    /// <see cref="RequiresAttribute"/> and the entry points enforce it.
    /// </summary>
    public bool Has(Permission permission) => PermissionPolicy.Grants(this, permission);

    /// <summary>
    /// The reseller whose data this caller sees: tenant scoping, not a permission. A caller without one can
    /// only get here through a wrongly declared operation, and then sees nothing.
    /// </summary>
    public Guid OwnResellerId => ResellerId
        ?? throw new PermissionDeniedException($"This operation acts for one reseller; the {RoleName(Role)} role has none.");

    public static string RoleName(ApiKeyRole role) => role switch
    {
        ApiKeyRole.VendorAdmin => "vendor admin",
        ApiKeyRole.VendorAuditor => "vendor auditor",
        _ => "reseller " + role.ToString().ToLowerInvariant(),
    };
}

/// <summary>Holds the caller for the current request (scoped).</summary>
public sealed class CallerAccessor
{
    private Caller? _caller;

    public Caller Caller => _caller ?? throw new UnauthenticatedException("No API key was presented.");

    public bool IsAuthenticated => _caller is not null;

    public void Set(Caller caller) => _caller = caller;
}
