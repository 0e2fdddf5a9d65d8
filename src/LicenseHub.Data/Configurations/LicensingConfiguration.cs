using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class LicenseConfiguration : IEntityTypeConfiguration<License>
{
    public void Configure(EntityTypeBuilder<License> builder)
    {
        builder.HasKey(l => l.Id);
        builder.Property(l => l.KeyPrefix).HasMaxLength(8);
        builder.Property(l => l.KeyHash).HasMaxLength(32);
        builder.Property(l => l.ResellerReference).HasMaxLength(64);
        builder.HasIndex(l => l.KeyHash).IsUnique();
        builder.HasIndex(l => l.KeyPrefix);
        // Listing a reseller's licenses newest first, with or without filters, stays an index walk.
        builder.HasIndex(l => new { l.ResellerId, l.Id });
        builder.HasIndex(l => new { l.ResellerId, l.ResellerReference });
        builder.HasIndex(l => new { l.ResellerId, l.ExpiresAt });
        builder.HasOne<Pool>().WithMany().HasForeignKey(l => l.PoolId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LicenseAddOnConfiguration : IEntityTypeConfiguration<LicenseAddOn>
{
    public void Configure(EntityTypeBuilder<LicenseAddOn> builder)
    {
        builder.HasKey(a => new { a.LicenseId, a.FeatureId });
        builder.HasOne<License>().WithMany().HasForeignKey(a => a.LicenseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<LicenseHub.Domain.Catalog.Feature>().WithMany().HasForeignKey(a => a.FeatureId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InstallationConfiguration : IEntityTypeConfiguration<Installation>
{
    public void Configure(EntityTypeBuilder<Installation> builder)
    {
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Fingerprint).HasMaxLength(64);
        builder.Property(i => i.SecretHash).HasMaxLength(32);
        builder.Property(i => i.CheckInTicketHash).HasMaxLength(32);
        builder.Property(i => i.PreviousCheckInTicketHash).HasMaxLength(32);
        builder.Property(i => i.ProductVersion).HasMaxLength(32);
        builder.Property(i => i.AgentVersion).HasMaxLength(32);
        builder.Property(i => i.OsVersion).HasMaxLength(16);
        builder.Property(i => i.CurrentToken).HasMaxLength(4096);
        builder.Property(i => i.CurrentTokenClaimsHash).HasMaxLength(32);
        // One installation per machine per license, enforced by the database across replicas.
        builder.HasIndex(i => new { i.LicenseId, i.Fingerprint }).IsUnique();
        builder.HasIndex(i => i.LastCheckInAt);
        builder.HasOne<License>().WithMany().HasForeignKey(i => i.LicenseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ForgottenSeatConfiguration : IEntityTypeConfiguration<ForgottenSeat>
{
    public void Configure(EntityTypeBuilder<ForgottenSeat> builder)
    {
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.LicenseId);
        builder.HasOne<License>().WithMany().HasForeignKey(s => s.LicenseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CheckInConfiguration : IEntityTypeConfiguration<CheckIn>
{
    public void Configure(EntityTypeBuilder<CheckIn> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ProductCode).HasMaxLength(40);
        builder.Property(c => c.ProductVersion).HasMaxLength(32);
        builder.Property(c => c.Result).HasMaxLength(32);
        builder.HasIndex(c => c.At);
        builder.HasIndex(c => c.InstallationId);
        builder.HasOne<Installation>().WithMany().HasForeignKey(c => c.InstallationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.HasKey(k => k.Kid);
        builder.Property(k => k.Kid).HasMaxLength(64);
        builder.Property(k => k.Certificate).HasMaxLength(2048);
    }
}

internal sealed class RootKeyConfiguration : IEntityTypeConfiguration<RootKey>
{
    public void Configure(EntityTypeBuilder<RootKey> builder)
    {
        builder.HasKey(k => k.Kid);
        builder.Property(k => k.Kid).HasMaxLength(64);
        builder.Ignore(k => k.InAnchor);
        builder.Ignore(k => k.IsActive);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasKey(e => e.Sequence);
        // Sequence numbers are assigned by the chain writer, not the database, so they are gap-free.
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.ObjectType).HasMaxLength(32);
        builder.Property(e => e.ObjectId).HasMaxLength(64);
        builder.Property(e => e.Details).HasMaxLength(1000);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => e.ObjectId);
        // Whether a license was ever activated is read from the events since its assignment (see LicenseHistory).
        builder.HasIndex(e => e.At);
    }
}
