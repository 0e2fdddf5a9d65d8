using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class ResellerConfiguration : IEntityTypeConfiguration<Reseller>
{
    public void Configure(EntityTypeBuilder<Reseller> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CompanyName).HasMaxLength(200);
        builder.Property(r => r.Country).HasMaxLength(2);
        builder.Property(r => r.VatId).HasMaxLength(32);
        builder.Property(r => r.BillingContactName).HasMaxLength(200);
        builder.Property(r => r.BillingContactEmail).HasMaxLength(254);
        builder.HasIndex(r => r.CreatedAt);
        // Accounts made before events existed get the default notice too.
        builder.Property(r => r.ExpiryNoticeDays).HasDefaultValue(Reseller.DefaultExpiryNoticeDays);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.SecretHash).HasMaxLength(32);
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.HasIndex(k => k.ResellerId);
        builder.Ignore(k => k.IsVendor);
    }
}
