using System.Security.Claims;
using System.Security.Cryptography;
using LicenseHub.Data;
using LicenseHub.Data.Identity;
using LicenseHub.Domain;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Security;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Staff;

public sealed record NewStaffUser(string? Email, string? DisplayName, ApiKeyRole? Role, string? ResellerId);

/// <summary>
/// The people who sign in to the portal. Vendor admins manage vendor staff and any reseller's staff;
/// a reseller owner manages the staff of its own reseller. Passwords, lockout and two-factor are
/// ASP.NET Core Identity's; every change is audited.
/// </summary>
public sealed class StaffDirectory(
    LicenseHubDbContext db,
    UserManager<StaffUser> users,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    TimeProvider clock)
{
    /// <summary>User claim set on an initial password: the portal asks for a new one before anything else.</summary>
    public const string PasswordChangeRequired = "lh:password_change_required";

    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public async Task<(StaffUser User, string InitialPassword)> CreateAsync(Caller caller, NewStaffUser request, CancellationToken ct)
    {
        var v = new Validator();
        var email = v.Email("email", request.Email);
        var name = v.Text("display_name", request.DisplayName, 200);
        var resellerId = Scope(caller, v, request.ResellerId, request.Role);
        v.ThrowIfInvalid();
        var role = request.Role!.Value;

        return await unitOfWork.RunAsync(async token =>
        {
            if (resellerId is { } id && !await db.Resellers.AnyAsync(r => r.Id == id && r.Status != ResellerStatus.Deleted, token))
            {
                throw new NotFoundException("reseller", id.ToString());
            }
            if (await users.FindByEmailAsync(email) is not null)
            {
                throw new AlreadyExistsException("A portal user with this e-mail address already exists.");
            }
            var user = new StaffUser
            {
                Id = Guid.CreateVersion7(),
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = name,
                Role = role,
                ResellerId = resellerId,
                CreatedAt = clock.Now(),
                LockoutEnabled = true,
            };
            var password = NewInitialPassword();
            ThrowIfFailed(await users.CreateAsync(user, password), "email");
            ThrowIfFailed(await users.AddClaimAsync(user, new Claim(PasswordChangeRequired, "true")), "email");
            await audit.AppendAsync(caller.ActorId, "staff.create", "staff", user.Id.ToString(), $"role={role}", token);
            return (user, password);
        }, ct);
    }

    /// <summary>Vendor staff for a vendor admin; the caller's own staff for a reseller.</summary>
    public async Task<IReadOnlyList<StaffUser>> ListAsync(Caller caller, Guid? resellerFilter, CancellationToken ct)
    {
        var resellerId = caller.IsVendor ? resellerFilter : caller.OwnResellerId;
        return await db.Users.AsNoTracking().Where(u => u.ResellerId == resellerId).OrderBy(u => u.CreatedAt).ToListAsync(ct);
    }

    public async Task<StaffUser> ChangeRoleAsync(Caller caller, string? userId, ApiKeyRole? role, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("user_id", userId);
        if (role is null)
        {
            v.Fail("role", "is required");
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var user = await FindManagedAsync(caller, id, token);
            var check = new Validator();
            RequireRoleFits(check, role, user.ResellerId is not null);
            if (caller.IsStaffMember(user.Id) && role != user.Role)
            {
                check.Fail("role", "you cannot change your own role; ask another administrator");
            }
            check.ThrowIfInvalid();
            user.Role = role!.Value;
            // A new stamp ends the member's other sessions, so the new role applies at once.
            ThrowIfFailed(await users.UpdateSecurityStampAsync(user), "role");
            await audit.AppendAsync(caller.ActorId, "staff.role", "staff", user.Id.ToString(), $"role={user.Role}", token);
            return user;
        }, ct);
    }

    /// <summary>Deletes a staff member's sign-in, e-mail address and name.</summary>
    public async Task RemoveAsync(Caller caller, string? userId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("user_id", userId);
        v.ThrowIfInvalid();
        await unitOfWork.RunAsync(async token =>
        {
            var user = await FindManagedAsync(caller, id, token);
            if (caller.IsStaffMember(user.Id))
            {
                throw new PreconditionFailedException("You cannot remove yourself; ask another administrator.");
            }
            ThrowIfFailed(await users.DeleteAsync(user), "user_id");
            await audit.AppendAsync(caller.ActorId, "staff.remove", "staff", user.Id.ToString(), null, token);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Lets a locked-out member sign in again at once (lockout ends, failed attempts start from zero); audited.
    /// Another reseller's member is not found, as everywhere.
    /// </summary>
    public async Task<StaffUser> UnlockAsync(Caller caller, string? userId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("user_id", userId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var user = await FindManagedAsync(caller, id, token);
            if (user.LockoutEnd is not { } end || end <= clock.GetUtcNow())
            {
                throw new PreconditionFailedException($"{user.DisplayName} is not locked out.");
            }
            ThrowIfFailed(await users.SetLockoutEndDateAsync(user, null), "user_id");
            ThrowIfFailed(await users.ResetAccessFailedCountAsync(user), "user_id");
            await audit.AppendAsync(caller.ActorId, "staff.unlock", "staff", user.Id.ToString(), null, token);
            return user;
        }, ct);
    }

    /// <summary>
    /// Replaces a member's password with a new one-time password, answered once for the admin to hand over: the
    /// member must choose their own at the next sign-in (Identity's reset token also renews the security stamp), and
    /// a lockout ends with it. Never one's own (that is the password page); audited, without the
    /// password.
    /// </summary>
    public async Task<(StaffUser User, string TemporaryPassword)> ResetPasswordAsync(Caller caller, string? userId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("user_id", userId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var user = await FindManagedAsync(caller, id, token);
            if (caller.IsStaffMember(user.Id))
            {
                throw new PreconditionFailedException("You cannot reset your own password here; change it under Password.");
            }
            var password = NewInitialPassword();
            var reset = await users.GeneratePasswordResetTokenAsync(user);
            ThrowIfFailed(await users.ResetPasswordAsync(user, reset, password), "user_id");
            if (!(await users.GetClaimsAsync(user)).Any(c => c.Type == PasswordChangeRequired))
            {
                ThrowIfFailed(await users.AddClaimAsync(user, new Claim(PasswordChangeRequired, "true")), "user_id");
            }
            ThrowIfFailed(await users.SetLockoutEndDateAsync(user, null), "user_id");
            ThrowIfFailed(await users.ResetAccessFailedCountAsync(user), "user_id");
            await audit.AppendAsync(caller.ActorId, "staff.password_reset", "staff", user.Id.ToString(), null, token);
            return (user, password);
        }, ct);
    }

    /// <summary>
    /// The reseller the new member belongs to (null for vendor staff): the vendor names any reseller, a reseller
    /// only its own; and the role must fit that.
    /// </summary>
    private static Guid? Scope(Caller caller, Validator v, string? requestedReseller, ApiKeyRole? role)
    {
        if (caller.IsVendor)
        {
            var resellerId = v.OptionalId("reseller_id", requestedReseller);
            RequireRoleFits(v, role, resellerId is not null);
            return resellerId;
        }
        var own = caller.OwnResellerId;
        if (!string.IsNullOrWhiteSpace(requestedReseller)
            && !string.Equals(requestedReseller.Trim(), own.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new NotFoundException("reseller", requestedReseller);
        }
        RequireRoleFits(v, role, forReseller: true);
        return own;
    }

    private static void RequireRoleFits(Validator v, ApiKeyRole? role, bool forReseller)
    {
        if (forReseller && role is not (ApiKeyRole.Owner or ApiKeyRole.Manager or ApiKeyRole.Viewer))
        {
            v.Fail("role", "must be owner, manager or viewer for reseller staff");
        }
        else if (!forReseller && role is not (ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor))
        {
            v.Fail("role", "must be vendor admin or vendor auditor for vendor staff (give a reseller id for reseller staff)");
        }
    }

    private async Task<StaffUser> FindManagedAsync(Caller caller, Guid id, CancellationToken ct)
    {
        // Another reseller's staff member is not found, exactly like an id that does not exist.
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null || (!caller.IsVendor && user.ResellerId != caller.OwnResellerId))
        {
            throw new NotFoundException("staff member", id.ToString());
        }
        return user;
    }

    /// <summary>Identity's own errors (password policy, duplicate name) as field violations.</summary>
    public static void ThrowIfFailed(IdentityResult result, string field)
    {
        if (!result.Succeeded)
        {
            throw new ValidationException(result.Errors.Select(e => new FieldViolation(FieldOf(e.Code, field), e.Description)).ToArray());
        }
    }

    private static string FieldOf(string code, string fallback) => code switch
    {
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "password",
        _ when code.Contains("Email", StringComparison.Ordinal) || code.Contains("UserName", StringComparison.Ordinal) => "email",
        _ => fallback,
    };

    /// <summary>20 characters from an alphabet without look-alikes, with upper and lower case and a digit.</summary>
    public static string NewInitialPassword()
    {
        while (true)
        {
            var password = RandomNumberGenerator.GetString(PasswordAlphabet, 20);
            if (password.Any(char.IsUpper) && password.Any(char.IsLower) && password.Any(char.IsDigit))
            {
                return password;
            }
        }
    }
}
