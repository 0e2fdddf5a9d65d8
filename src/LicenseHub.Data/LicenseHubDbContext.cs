using LicenseHub.Data.Identity;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Events;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Privacy;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Security;
using LicenseHub.Domain.Signing;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LicenseHub.Data;

public sealed class LicenseHubDbContext(DbContextOptions<LicenseHubDbContext> options)
    : IdentityUserContext<StaffUser, Guid>(options)
{
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Plan> Plans => Set<Plan>();
    public DbSet<Feature> Features => Set<Feature>();
    public DbSet<PlanFeature> PlanFeatures => Set<PlanFeature>();
    public DbSet<LicenseAddOn> LicenseAddOns => Set<LicenseAddOn>();
    public DbSet<LicenseHub.Domain.Pricing.ResellerPrice> ResellerPrices => Set<LicenseHub.Domain.Pricing.ResellerPrice>();
    public DbSet<Reseller> Resellers => Set<Reseller>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLicense> OrderLicenses => Set<OrderLicense>();
    public DbSet<AssignmentReplay> AssignmentReplays => Set<AssignmentReplay>();
    public DbSet<AssignmentReplayKey> AssignmentReplayKeys => Set<AssignmentReplayKey>();
    public DbSet<Pool> Pools => Set<Pool>();
    public DbSet<License> Licenses => Set<License>();
    public DbSet<Installation> Installations => Set<Installation>();
    public DbSet<ForgottenSeat> ForgottenSeats => Set<ForgottenSeat>();
    public DbSet<CheckIn> CheckIns => Set<CheckIn>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<RootKey> RootKeys => Set<RootKey>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditNote> AuditNotes => Set<AuditNote>();
    public DbSet<DailyCheckInCount> DailyCheckInCounts => Set<DailyCheckInCount>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<FeedEvent> Events => Set<FeedEvent>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LicenseHubDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Unix milliseconds: sortable and comparable in SQL on every provider (SQLite cannot order
        // DateTimeOffset text), and exactly what the audit hash covers.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
