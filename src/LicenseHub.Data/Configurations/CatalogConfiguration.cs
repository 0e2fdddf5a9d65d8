using LicenseHub.Domain.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Code).HasMaxLength(40);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.HasIndex(p => p.Code).IsUnique();
    }
}

internal sealed class PlanConfiguration : IEntityTypeConfiguration<Plan>
{
    public void Configure(EntityTypeBuilder<Plan> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Code).HasMaxLength(40);
        builder.Property(p => p.Edition).HasMaxLength(64);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.HasOne(p => p.Product).WithMany().HasForeignKey(p => p.ProductId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.ProductId, p.Code }).IsUnique();
        builder.Ignore(p => p.Price);
        builder.Ignore(p => p.RenewalPrice);
        builder.Ignore(p => p.Retired);
        builder.HasMany(p => p.Features).WithOne().HasForeignKey(f => f.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FeatureConfiguration : IEntityTypeConfiguration<Feature>
{
    public void Configure(EntityTypeBuilder<Feature> builder)
    {
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Code).HasMaxLength(40);
        builder.Property(f => f.Name).HasMaxLength(200);
        builder.HasOne<Product>().WithMany().HasForeignKey(f => f.ProductId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => new { f.ProductId, f.Code }).IsUnique();
    }
}

internal sealed class PlanFeatureConfiguration : IEntityTypeConfiguration<PlanFeature>
{
    public void Configure(EntityTypeBuilder<PlanFeature> builder)
    {
        builder.HasKey(f => new { f.PlanId, f.FeatureId });
        builder.HasOne(f => f.Feature).WithMany().HasForeignKey(f => f.FeatureId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(f => f.Included);
    }
}
