using Grpc.Core;
using LicenseHub.Data.Identity;
using LicenseHub.Server.Security;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Portal;

public sealed class StaffUserTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task CreateStaffUser_ResellerOwner_GetsOneTimePasswordThatIdentityAccepts()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var created = await _factory.Vendor().CreateStaffUserAsync(new CreateStaffUserRequest
        {
            Email = "owner@example-hosting.test", DisplayName = "Olga Owner", Role = ApiKeyRole.Owner, ResellerId = reseller.ResellerId,
        });
        Assert.Equal(reseller.ResellerId, created.User.ResellerId);
        Assert.Equal(20, created.InitialPassword.Length);

        using var scope = _factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByEmailAsync("owner@example-hosting.test");
        Assert.NotNull(user);
        Assert.True(await users.CheckPasswordAsync(user, created.InitialPassword));
        Assert.NotEqual(created.InitialPassword, user.PasswordHash);
        Assert.Contains(_factory.WithDb(db => db.AuditEvents.Select(e => e.Action).ToList()), a => a == "staff.create");
    }

    [Fact]
    public async Task CreateStaffUser_BadInput_NamesTheFields()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _factory.Vendor().CreateStaffUserAsync(new CreateStaffUserRequest
        {
            Email = "not-an-email", DisplayName = "", Role = ApiKeyRole.Owner,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("email", error.Status.Detail);
        Assert.Contains("display_name", error.Status.Detail);
        Assert.Contains("role", error.Status.Detail);
    }

    [Fact]
    public async Task CreateStaffUser_WithResellerKey_IsDenied()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => _factory.Vendor(reseller.OwnerKey).CreateStaffUserAsync(new CreateStaffUserRequest
        {
            Email = "admin@evil.test", DisplayName = "Eve", Role = ApiKeyRole.VendorAdmin,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task UnlockAndResetPassword_ByOwnOwner_WorkAndAreAudited_ByAnotherResellersOwner_NotFound()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var home = await scenario.AddResellerAsync("Home Hosting");
        var other = await scenario.AddResellerAsync("Other Hosting");
        var member = (await _factory.Vendor().CreateStaffUserAsync(new CreateStaffUserRequest
        {
            Email = "member@home-hosting.test", DisplayName = "Mia Member", Role = ApiKeyRole.Viewer, ResellerId = home.ResellerId,
        })).User;
        var homeOwner = new Caller(Guid.NewGuid(), LicenseHub.Domain.Security.ApiKeyRole.Owner, Guid.Parse(home.ResellerId), ActorKind.Staff);
        var otherOwner = new Caller(Guid.NewGuid(), LicenseHub.Domain.Security.ApiKeyRole.Owner, Guid.Parse(other.ResellerId), ActorKind.Staff);

        using (var scope = _factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = (await users.FindByIdAsync(member.Id))!;
            await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddMinutes(15));
        }
        await Assert.ThrowsAsync<LicenseHub.Domain.NotFoundException>(() => Directory().UnlockAsync(otherOwner, member.Id, default));
        await Assert.ThrowsAsync<LicenseHub.Domain.NotFoundException>(() => Directory().ResetPasswordAsync(otherOwner, member.Id, default));

        await Directory().UnlockAsync(homeOwner, member.Id, default);
        var (_, temporary) = await Directory().ResetPasswordAsync(homeOwner, member.Id, default);
        // Unlocking one who is not locked is refused, saying so.
        var again = await Assert.ThrowsAsync<LicenseHub.Domain.PreconditionFailedException>(() => Directory().UnlockAsync(homeOwner, member.Id, default));
        Assert.Contains("not locked out", again.Message);

        using (var scope = _factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = (await users.FindByIdAsync(member.Id))!;
            Assert.False(await users.IsLockedOutAsync(user));
            Assert.True(await users.CheckPasswordAsync(user, temporary));
            Assert.Contains(await users.GetClaimsAsync(user), c => c.Type == LicenseHub.Server.Staff.StaffDirectory.PasswordChangeRequired);
        }
        var audited = _factory.WithDb(db => db.AuditEvents.Where(e => e.ObjectId == member.Id).ToList());
        Assert.Equal(1, audited.Count(e => e.Action == "staff.unlock" && e.ActorId == homeOwner.ActorId));
        Assert.Equal(1, audited.Count(e => e.Action == "staff.password_reset" && e.ActorId == homeOwner.ActorId));
        Assert.DoesNotContain(temporary, _factory.StoredText());

        LicenseHub.Server.Staff.StaffDirectory Directory() =>
            _factory.Services.CreateScope().ServiceProvider.GetRequiredService<LicenseHub.Server.Staff.StaffDirectory>();
    }

    [Fact]
    public void Caller_ForStaff_IsAuditedAsStaff()
    {
        var id = Guid.NewGuid();
        Assert.Equal($"staff:{id}", new Caller(id, LicenseHub.Domain.Security.ApiKeyRole.Owner, Guid.NewGuid(), ActorKind.Staff).ActorId);
        Assert.Equal($"apikey:{id}", new Caller(id, LicenseHub.Domain.Security.ApiKeyRole.Owner, Guid.NewGuid()).ActorId);
    }
}
