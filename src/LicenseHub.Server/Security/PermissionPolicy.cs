using LicenseHub.Domain;
using LicenseHub.Domain.Security;
using Microsoft.AspNetCore.Authorization;

namespace LicenseHub.Server.Security;

/// <summary>What one operation declares: no caller at all (anonymous), or the permissions its caller must hold.</summary>
public sealed record OperationAccess(bool Anonymous, IReadOnlyList<Permission> Permissions);

/// <summary>
/// The one permission check. Which role holds which permission is written here and nowhere else; the two entry
/// points (<c>Grpc.AuthInterceptor</c> for gRPC and REST/JSON, <c>Portal.PortalPageFilter</c> for the portal) read
/// an operation's declarations with <see cref="Read"/> and call <see cref="Authorize"/> before it runs. Feature
/// code does not check roles; it scopes data to the caller's reseller.
/// </summary>
public static class PermissionPolicy
{
    public static bool Grants(Caller caller, Permission permission) => permission switch
    {
        Permission.Authenticated => true,
        Permission.ResellerRead => caller.ResellerId is not null && caller.Role is ApiKeyRole.Owner or ApiKeyRole.Manager or ApiKeyRole.Viewer,
        Permission.ResellerBuy or Permission.ResellerAssign or Permission.ResellerManageLicenses =>
            caller.ResellerId is not null && caller.Role is ApiKeyRole.Owner or ApiKeyRole.Manager,
        Permission.ResellerManageAccount => caller.ResellerId is not null && caller.Role == ApiKeyRole.Owner,
        Permission.ManageStaff => caller.Role == ApiKeyRole.VendorAdmin || (caller.ResellerId is not null && caller.Role == ApiKeyRole.Owner),
        Permission.VendorAudit => caller.ResellerId is null && caller.Role is ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor,
        Permission.VendorAdmin => caller.ResellerId is null && caller.Role == ApiKeyRole.VendorAdmin,
        _ => false,
    };

    /// <summary>
    /// The declarations among an operation's attributes or endpoint metadata. A <see cref="RequiresAttribute"/>
    /// always applies; <see cref="IAllowAnonymous"/> counts only where nothing is required, so a stray
    /// AllowAnonymous can never switch a declared permission off.
    /// </summary>
    public static OperationAccess Read(IEnumerable<object> metadata)
    {
        var all = metadata as IReadOnlyCollection<object> ?? metadata.ToList();
        var permissions = all.OfType<RequiresAttribute>().Select(r => r.Permission).Distinct().ToList();
        return new OperationAccess(permissions.Count == 0 && all.OfType<IAllowAnonymous>().Any(), permissions);
    }

    /// <summary>
    /// Refuses (PERMISSION_DENIED, 403) unless the caller holds every declared permission. An operation that
    /// declares none is refused too: forgetting a declaration closes the operation instead of opening it.
    /// </summary>
    public static void Authorize(Caller caller, OperationAccess access, string operation)
    {
        if (access.Anonymous)
        {
            return;
        }
        if (access.Permissions.Count == 0)
        {
            throw new PermissionDeniedException($"{operation} declares no permission, so no caller may use it.");
        }
        foreach (var permission in access.Permissions)
        {
            if (!Grants(caller, permission))
            {
                throw new PermissionDeniedException(Denial(caller, permission));
            }
        }
    }

    private static string Denial(Caller caller, Permission permission) =>
        caller.IsVendor && permission is Permission.ResellerRead or Permission.ResellerBuy or Permission.ResellerAssign
            or Permission.ResellerManageLicenses or Permission.ResellerManageAccount
            // A vendor key on ResellerService: say where the vendor's own operations are.
            ? $"ResellerService acts for one reseller and takes that reseller's key; the {Caller.RoleName(caller.Role)} role uses "
              + "VendorService instead (VendorService.SuspendLicense, ResumeLicense and RestoreTransfers), audited as the vendor."
            : $"The {Caller.RoleName(caller.Role)} role may not do this (needs {permission}).";
}
