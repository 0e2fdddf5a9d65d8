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
        // One key, one order, whatever its kind: a key used for a purchase cannot also renew.
        builder.HasIndex(o => new { o.ResellerId, o.IdempotencyKey }).IsUnique();
        builder.HasIndex(o => o.CreatedAt);
        builder.HasOne<Pool>().WithMany().HasForeignKey(o => o.PoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Plan>().WithMany().HasForeignKey(o => o.FromPlanId).OnDelete(DeleteBehavior.Restrict);
        builder.ToTable(t => t.HasCheckConstraint("CK_Orders_Amount", "\"AmountMinor\" >= 0"));
    }
}

internal sealed class OrderLicenseConfiguration : IEntityTypeConfiguration<OrderLicense>
{
    public void Configure(EntityTypeBuilder<OrderLicense> builder)
    {
        builder.HasKey(l => new { l.OrderId, l.LicenseId });
        // A license's orders (its renewals and plan changes), newest first.
        builder.HasIndex(l => l.LicenseId);
        builder.HasOne<Order>().WithMany().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssignmentReplayConfiguration : IEntityTypeConfiguration<AssignmentReplay>
{
    public void Configure(EntityTypeBuilder<AssignmentReplay> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.ActorId).HasMaxLength(64);
        builder.Property(a => a.IdempotencyKey).HasMaxLength(64);
        builder.Property(a => a.RequestHash).HasMaxLength(32);
        // One assignment per key: two calls racing with it through two replicas cannot both assign.
        builder.HasIndex(a => new { a.ResellerId, a.IdempotencyKey }).IsUnique();
        builder.HasIndex(a => a.CreatedAt);
        builder.HasOne<Pool>().WithMany().HasForeignKey(a => a.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssignmentReplayKeyConfiguration : IEntityTypeConfiguration<AssignmentReplayKey>
{
    public void Configure(EntityTypeBuilder<AssignmentReplayKey> builder)
    {
        builder.HasKey(k => new { k.AssignmentReplayId, k.Position });
        builder.HasIndex(k => k.LicenseId);
        builder.HasOne<AssignmentReplay>().WithMany().HasForeignKey(k => k.AssignmentReplayId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResellerPriceConfiguration : IEntityTypeConfiguration<LicenseHub.Domain.Pricing.ResellerPrice>
{
    public void Configure(EntityTypeBuilder<LicenseHub.Domain.Pricing.ResellerPrice> builder)
    {
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => new { p.ResellerId, p.PlanId }).IsUnique();
    }
}
