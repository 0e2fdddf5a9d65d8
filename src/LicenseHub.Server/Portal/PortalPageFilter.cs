using LicenseHub.Server.Staff;
using LicenseHub.Data;
using LicenseHub.Data.Identity;
using LicenseHub.Domain;
using LicenseHub.Domain.Resellers;
using LicenseHub.Server.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Portal;

/// <summary>
/// Turns the signed-in staff member into the <see cref="Caller"/> the feature code expects (re-read from the
/// database on every request, so a changed role or a suspended reseller applies at once), keeps each
/// area to the roles it is for, and answers NotFound and PermissionDenied from the feature code as the
/// 404 and 403 pages.
/// </summary>
public sealed class PortalPageFilter(
    UserManager<StaffUser> users,
    SignInManager<StaffUser> signIn,
    LicenseHubDbContext db,
    CallerAccessor callers) : IAsyncPageFilter
{
    public const string StaffItem = "lh.staff";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var page = context.ActionDescriptor.ViewEnginePath;
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var user = await users.GetUserAsync(http.User);
            var resellerActive = user?.ResellerId is not { } resellerId
                || await db.Resellers.AnyAsync(r => r.Id == resellerId && r.Status == ResellerStatus.Active, http.RequestAborted);
            if (user is null || !resellerActive || await users.IsLockedOutAsync(user))
            {
                await signIn.SignOutAsync();
                if (!IsAnonymousPage(page))
                {
                    context.Result = new RedirectToPageResult("/SignIn", new { ended = user is null ? "removed" : "suspended" });
                    return;
                }
            }
            else
            {
                http.Items[StaffItem] = user;
                callers.Set(new Caller(user.Id, user.Role, user.ResellerId, ActorKind.Staff));
                if (http.User.HasClaim(c => c.Type == StaffDirectory.PasswordChangeRequired)
                    && page is not ("/Account/Password" or "/SignOut" or "/Status"))
                {
                    context.Result = new RedirectToPageResult("/Account/Password");
                    return;
                }
                if (!MayOpen(callers.Caller, page))
                {
                    context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
                    return;
                }
            }
        }

        var executed = await next();
        if (executed.Exception is NotFoundException && !executed.ExceptionHandled)
        {
            executed.Result = new NotFoundResult();
            executed.ExceptionHandled = true;
        }
        else if (executed.Exception is PermissionDeniedException && !executed.ExceptionHandled)
        {
            executed.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
            executed.ExceptionHandled = true;
        }
    }

    private static bool IsAnonymousPage(string page) => page is "/SignIn" or "/SignInTwoFactor" or "/Status";

    /// <summary>Which area a role may open; the feature code checks every operation again.</summary>
    public static bool MayOpen(Caller caller, string page)
    {
        if (page.StartsWith("/Reseller/", StringComparison.Ordinal))
        {
            return caller.Has(Permission.ResellerRead);
        }
        if (page.StartsWith("/Vendor/", StringComparison.Ordinal))
        {
            return caller.Has(Permission.VendorAdmin);
        }
        if (page.StartsWith("/Audit/", StringComparison.Ordinal))
        {
            return caller.Has(Permission.VendorAudit);
        }
        return true;
    }
}
