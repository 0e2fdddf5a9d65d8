using Microsoft.AspNetCore.Identity;

namespace LicenseHub.Server.Staff;

/// <summary>
/// Identity's stock messages repeat the value ("Email 'jane@example.com' is already taken."): that puts a staff
/// member's e-mail address, or whatever was typed, into error answers and logs. These state the rule instead.
/// </summary>
public sealed class StaffErrorDescriber : IdentityErrorDescriber
{
    public override IdentityError DuplicateUserName(string userName) =>
        new() { Code = nameof(DuplicateUserName), Description = "A staff member with this e-mail address exists already." };

    public override IdentityError DuplicateEmail(string email) =>
        new() { Code = nameof(DuplicateEmail), Description = "A staff member with this e-mail address exists already." };

    public override IdentityError InvalidUserName(string? userName) =>
        new() { Code = nameof(InvalidUserName), Description = "The sign-in name must be a valid e-mail address." };

    public override IdentityError InvalidEmail(string? email) =>
        new() { Code = nameof(InvalidEmail), Description = "The e-mail address is not valid." };

    public override IdentityError DuplicateRoleName(string role) =>
        new() { Code = nameof(DuplicateRoleName), Description = "This role exists already." };

    public override IdentityError InvalidRoleName(string? role) =>
        new() { Code = nameof(InvalidRoleName), Description = "The role name is not valid." };

    public override IdentityError UserAlreadyInRole(string role) =>
        new() { Code = nameof(UserAlreadyInRole), Description = "The staff member has this role already." };

    public override IdentityError UserNotInRole(string role) =>
        new() { Code = nameof(UserNotInRole), Description = "The staff member does not have this role." };
}
