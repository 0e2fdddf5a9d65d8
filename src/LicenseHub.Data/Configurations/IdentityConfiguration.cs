using LicenseHub.Data.Identity;
using LicenseHub.Domain.Classification;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class StaffUserConfiguration : IEntityTypeConfiguration<StaffUser>
{
    private const string Account = Retention.AccountLifetime;

    public void Configure(EntityTypeBuilder<StaffUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.HasIndex(u => u.ResellerId);
        builder.Property(u => u.Id).IsClassified(DataClasses.Operational, "identify the staff member", Account);
        builder.Property(u => u.UserName).IsClassified(DataClasses.Personal, "sign-in name (the e-mail address)", Account);
        builder.Property(u => u.NormalizedUserName).IsClassified(DataClasses.Personal, "case-insensitive sign-in lookup", Account);
        builder.Property(u => u.Email).IsClassified(DataClasses.Personal, "sign-in and account notices", Account);
        builder.Property(u => u.NormalizedEmail).IsClassified(DataClasses.Personal, "case-insensitive e-mail lookup", Account);
        builder.Property(u => u.EmailConfirmed).IsClassified(DataClasses.Operational, "account state", Account);
        builder.Property(u => u.PasswordHash).IsClassified(DataClasses.Secret, "authenticate sign-in (salted PBKDF2 hash)", Account);
        builder.Property(u => u.SecurityStamp).IsClassified(DataClasses.Secret, "invalidate sessions when credentials change", Account);
        builder.Property(u => u.ConcurrencyStamp).IsClassified(DataClasses.Operational, "optimistic concurrency", Account);
        builder.Property(u => u.PhoneNumber).IsClassified(DataClasses.Personal, "unused by LicenseHub; kept empty", Account);
        builder.Property(u => u.PhoneNumberConfirmed).IsClassified(DataClasses.Operational, "unused by LicenseHub", Account);
        builder.Property(u => u.TwoFactorEnabled).IsClassified(DataClasses.Operational, "sign-in security", Account);
        builder.Property(u => u.LockoutEnd).IsClassified(DataClasses.Operational, "lockout after repeated failed sign-ins", Account);
        builder.Property(u => u.LockoutEnabled).IsClassified(DataClasses.Operational, "lockout after repeated failed sign-ins", Account);
        builder.Property(u => u.AccessFailedCount).IsClassified(DataClasses.Operational, "lockout after repeated failed sign-ins", Account);
    }
}

internal sealed class StaffUserClaimConfiguration : IEntityTypeConfiguration<IdentityUserClaim<Guid>>
{
    public void Configure(EntityTypeBuilder<IdentityUserClaim<Guid>> builder)
    {
        builder.Property(c => c.Id).IsClassified(DataClasses.Operational, "identify the row", Retention.AccountLifetime);
        builder.Property(c => c.UserId).IsClassified(DataClasses.Operational, "staff member", Retention.AccountLifetime);
        builder.Property(c => c.ClaimType).IsClassified(DataClasses.Operational, "authorisation claims (unused by default)", Retention.AccountLifetime);
        builder.Property(c => c.ClaimValue).IsClassified(DataClasses.Operational, "authorisation claims (unused by default)", Retention.AccountLifetime);
    }
}

internal sealed class StaffUserLoginConfiguration : IEntityTypeConfiguration<IdentityUserLogin<Guid>>
{
    public void Configure(EntityTypeBuilder<IdentityUserLogin<Guid>> builder)
    {
        builder.Property(l => l.LoginProvider).IsClassified(DataClasses.Operational, "external sign-in (unused)", Retention.AccountLifetime);
        builder.Property(l => l.ProviderKey).IsClassified(DataClasses.Pseudonymous, "external sign-in (unused)", Retention.AccountLifetime);
        builder.Property(l => l.ProviderDisplayName).IsClassified(DataClasses.Operational, "external sign-in (unused)", Retention.AccountLifetime);
        builder.Property(l => l.UserId).IsClassified(DataClasses.Operational, "staff member", Retention.AccountLifetime);
    }
}

internal sealed class StaffUserTokenConfiguration : IEntityTypeConfiguration<IdentityUserToken<Guid>>
{
    public void Configure(EntityTypeBuilder<IdentityUserToken<Guid>> builder)
    {
        builder.Property(t => t.UserId).IsClassified(DataClasses.Operational, "staff member", Retention.AccountLifetime);
        builder.Property(t => t.LoginProvider).IsClassified(DataClasses.Operational, "token kind", Retention.AccountLifetime);
        builder.Property(t => t.Name).IsClassified(DataClasses.Operational, "token kind", Retention.AccountLifetime);
        builder.Property(t => t.Value).IsClassified(DataClasses.Secret, "two-factor authenticator key and recovery codes", Retention.AccountLifetime);
    }
}
