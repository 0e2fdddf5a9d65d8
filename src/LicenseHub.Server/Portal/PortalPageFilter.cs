using System.Reflection;
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
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Portal;

/// <summary>
/// The portal's entry point of the permission model. Turns the signed-in staff member into the <see cref="Caller"/>
/// the feature code expects (re-read from the database on every request, so a changed role or a suspended reseller
/// applies at once, and a session whose security stamp is no longer the member's, after a password reset by an
/// admin or a change of role, ends at its next request), checks what the page model and the selected handler declare with <see cref="RequiresAttribute"/>
/// through <see cref="PermissionPolicy"/> (a page without a declaration is refused), and answers NotFound and
/// PermissionDenied from the feature code as the 404 and 403 pages.
/// </summary>
public sealed class PortalPageFilter(
    UserManager<StaffUser> users,
    SignInManager<StaffUser> signIn,
    LicenseHubDbContext db,
    CallerAccessor callers,
    IOptions<IdentityOptions> identity) : IAsyncPageFilter
{
    public const string StaffItem = "lh.staff";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var page = context.ActionDescriptor.ViewEnginePath;
        var access = Access(context.HandlerInstance.GetType(), context.HandlerMethod?.MethodInfo);
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var user = await users.GetUserAsync(http.User);
            var resellerActive = user?.ResellerId is not { } resellerId
                || await db.Resellers.AnyAsync(r => r.Id == resellerId && r.Status == ResellerStatus.Active, http.RequestAborted);
            var ended = user is null ? "removed"
                : !resellerActive || await users.IsLockedOutAsync(user) ? "suspended"
                : users.SupportsUserSecurityStamp && http.User.FindFirst(identity.Value.ClaimsIdentity.SecurityStampClaimType)?.Value
                    != await users.GetSecurityStampAsync(user) ? "changed"
                : null;
            if (ended is not null)
            {
                await signIn.SignOutAsync();
                if (!access.Anonymous)
                {
                    context.Result = new RedirectToPageResult("/SignIn", new { ended });
                    return;
                }
            }
            else if (user is not null)
            {
                http.Items[StaffItem] = user;
                callers.Set(new Caller(user.Id, user.Role, user.ResellerId, ActorKind.Staff));
                if (http.User.HasClaim(c => c.Type == StaffDirectory.PasswordChangeRequired)
                    && page is not ("/Account/Password" or "/SignOut" or "/Status"))
                {
                    context.Result = new RedirectToPageResult("/Account/Password");
                    return;
                }
                try
                {
                    PermissionPolicy.Authorize(callers.Caller, access, page);
                }
                catch (PermissionDeniedException)
                {
                    context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
                    return;
                }
            }
        }
        else if (!access.Anonymous)
        {
            // The AuthorizeFolder convention sends anonymous visitors to sign in first; this only keeps it closed.
            context.Result = new ChallengeResult();
            return;
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

    /// <summary>
    /// What a page handler declares: the page model's declarations (they hold for every handler) and the handler's
    /// own, all of which must hold; <see cref="Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute"/> on the
    /// page model for the pages before sign-in.
    /// </summary>
    public static OperationAccess Access(Type pageModel, MethodInfo? handler) =>
        PermissionPolicy.Read(pageModel.GetCustomAttributes(inherit: true)
            .Concat(handler?.GetCustomAttributes(inherit: true) ?? []));
}
