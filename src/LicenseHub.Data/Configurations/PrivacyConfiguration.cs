using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LicenseHub.Data.Configurations;

internal sealed class DailyCheckInCountConfiguration : IEntityTypeConfiguration<DailyCheckInCount>
{
    public void Configure(EntityTypeBuilder<DailyCheckInCount> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ProductCode).HasMaxLength(40);
        builder.Property(c => c.ProductVersion).HasMaxLength(32);
        builder.Property(c => c.OsFamily).HasMaxLength(16);
        builder.HasIndex(c => new { c.Day, c.ProductCode, c.ProductVersion, c.OsFamily }).IsUnique();
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.HasKey(c => c.Sequence);
        builder.Property(c => c.Sequence).ValueGeneratedNever();
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.Property(c => c.Kid).HasMaxLength(64);
        builder.Property(c => c.Signature).HasMaxLength(1024);
    }
}

internal sealed class AuditNoteConfiguration : IEntityTypeConfiguration<AuditNote>
{
    public void Configure(EntityTypeBuilder<AuditNote> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Text).HasMaxLength(AuditNote.MaxLength);
        builder.Property(n => n.Salt).HasMaxLength(16);
        builder.HasIndex(n => n.ResellerId);
        builder.HasIndex(n => n.At);
    }
}
