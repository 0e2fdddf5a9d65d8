using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class PoolConfiguration : IEntityTypeConfiguration<Pool>
{
    public void Configure(EntityTypeBuilder<Pool> builder)
    {
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => new { p.ResellerId, p.PlanId }).IsUnique();
        builder.HasOne<Reseller>().WithMany().HasForeignKey(p => p.ResellerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Plan>().WithMany().HasForeignKey(p => p.PlanId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(p => p.Available);
        // The database itself refuses an oversold pool, whatever the code above it does.
        builder.ToTable(t => t.HasCheckConstraint("CK_Pools_NotOversold", "\"Assigned\" >= 0 AND \"Assigned\" <= \"Purchased\""));
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Currency).HasMaxLength(3);
        builder.Property(o => o.IdempotencyKey).HasMaxLength(64);
        builder.HasIndex(o => new { o.ResellerId, o.IdempotencyKey }).IsUnique();
        builder.HasIndex(o => o.CreatedAt);
        builder.HasOne<Pool>().WithMany().HasForeignKey(o => o.PoolId).OnDelete(DeleteBehavior.Restrict);
    }
}
