using LicenseHub.Server.Staff;
using LicenseHub.Data.Identity;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Security;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal;

/// <summary>
/// The staff page of a reseller owner (its own staff) or a vendor admin (vendor staff, or a reseller's):
/// list, add with a one-time initial password, change role, unlock, reset a password to a one-time one, remove. All through <see cref="StaffDirectory"/>.
/// The changes declare <see cref="Permission.ManageStaff"/> here, so every staff page inherits them closed; each
/// page's own declaration (vendor admin, or reseller read) must hold as well.
/// </summary>
public abstract class StaffPageModel(StaffDirectory staff) : PortalPageModel
{
    public IReadOnlyList<StaffUser> Users { get; private set; } = [];
    public StaffUser? ConfirmRemove { get; private set; }
    public StaffUser? ConfirmReset { get; private set; }
    /// <summary>A one-time password an admin just set for a member, shown once.</summary>
    public string? TemporaryPassword { get; private set; }
    public StaffUser? TemporaryPasswordFor { get; private set; }
    public string? InitialPassword { get; private set; }
    public string? NewUserEmail { get; private set; }

    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "display_name")] public string? DisplayName { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }
    [BindProperty(Name = "user_id")] public string? UserId { get; set; }

    /// <summary>Whose staff: null for vendor staff.</summary>
    protected abstract Guid? ResellerScope { get; }

    public abstract IReadOnlyList<ApiKeyRole> Roles { get; }

    public abstract bool Manage { get; }

    public StaffTable Table => new(Users, Staff.Id, Manage, Roles);

    protected async Task LoadStaffAsync(string? remove, CancellationToken ct)
    {
        Users = await staff.ListAsync(Caller, ResellerScope, ct);
        ConfirmRemove = Users.FirstOrDefault(u => u.Id.ToString() == remove && u.Id != Staff.Id);
        var reset = Request.Query["reset"].ToString();
        ConfirmReset = TemporaryPassword is null ? Users.FirstOrDefault(u => u.Id.ToString() == reset && u.Id != Staff.Id) : null;
    }

    [Requires(Permission.ManageStaff)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        ApiKeyRole? role = Enum.TryParse<ApiKeyRole>(Role, out var parsed) ? parsed : null;
        if (await TryAsync(async () => (_, InitialPassword) = await staff.CreateAsync(Caller,
                new NewStaffUser(Email, DisplayName, role, ResellerScope?.ToString()), ct)))
        {
            NewUserEmail = Email?.Trim();
            Email = DisplayName = null;
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(null, ct);
        return Page();
    }

    [Requires(Permission.ManageStaff)]
    public async Task<IActionResult> OnPostRoleAsync(CancellationToken ct)
    {
        ApiKeyRole? role = Enum.TryParse<ApiKeyRole>(Role, out var parsed) ? parsed : null;
        if (await TryAsync(() => staff.ChangeRoleAsync(Caller, UserId, role, ct)))
        {
            return Done("The role was changed; it applies from the member's next page.", PageContext.ActionDescriptor.ViewEnginePath, RouteValues);
        }
        await LoadAsync(null, ct);
        return Page();
    }

    [Requires(Permission.ManageStaff)]
    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken ct)
    {
        if (await TryAsync(() => staff.RemoveAsync(Caller, UserId, ct)))
        {
            return Done("The staff member was removed: their sign-in, e-mail address and name are deleted.",
                PageContext.ActionDescriptor.ViewEnginePath, RouteValues);
        }
        await LoadAsync(null, ct);
        return Page();
    }

    [Requires(Permission.ManageStaff)]
    public async Task<IActionResult> OnPostUnlockAsync(CancellationToken ct)
    {
        StaffUser? user = null;
        if (await TryAsync(async () => user = await staff.UnlockAsync(Caller, UserId, ct)))
        {
            return Done($"{user!.DisplayName} is unlocked and can sign in again.", PageContext.ActionDescriptor.ViewEnginePath, RouteValues);
        }
        await LoadAsync(null, ct);
        return Page();
    }

    [Requires(Permission.ManageStaff)]
    public async Task<IActionResult> OnPostResetPasswordAsync(CancellationToken ct)
    {
        if (await TryAsync(async () => (TemporaryPasswordFor, TemporaryPassword) = await staff.ResetPasswordAsync(Caller, UserId, ct)))
        {
            // Shown once, in this answer only: never kept for a redirect, never cached.
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(null, ct);
        return Page();
    }

    protected virtual object? RouteValues => null;

    /// <summary>Everything the page shows besides the staff list.</summary>
    protected virtual Task LoadAsync(string? remove, CancellationToken ct) => LoadStaffAsync(remove, ct);
}
