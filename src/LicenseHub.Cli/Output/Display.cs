using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using LicenseHub.V1;

namespace LicenseHub.Cli.Output;

/// <summary>How values read in human output.</summary>
public static class Display
{
    public static string Time(Timestamp? at) =>
        at is null ? "-" : at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>When a license expires: "never" for a perpetual one (with its end of maintenance).</summary>
    public static string Expiry(License license) =>
        license.Perpetual ? $"never (maintenance until {Time(license.MaintenanceUntil)})" : Time(license.ExpiresAt);

    public static string Amount(Money? money) =>
        money is null || string.IsNullOrEmpty(money.Currency) ? "-" : new Domain.Pricing.Money(money.AmountMinor, money.Currency).ToString();

    public static string State(LicenseState state) => state switch
    {
        LicenseState.Active => "active",
        LicenseState.Suspended => "suspended",
        LicenseState.Revoked => "revoked",
        LicenseState.Expired => "expired",
        _ => "unknown",
    };

    public static string Kind(OrderKind kind) => kind switch
    {
        OrderKind.Purchase => "purchase",
        OrderKind.Renewal => "renewal",
        OrderKind.Upgrade => "upgrade",
        OrderKind.Return => "return",
        _ => "unknown",
    };

    public static string Status(ResellerStatus status) => status switch
    {
        ResellerStatus.Active => "active",
        ResellerStatus.Suspended => "suspended",
        _ => "unknown",
    };

    public static string Role(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Owner => "owner",
        ApiKeyRole.Manager => "manager",
        ApiKeyRole.Viewer => "viewer",
        ApiKeyRole.VendorAdmin => "vendor admin",
        ApiKeyRole.VendorAuditor => "vendor auditor",
        _ => "unknown",
    };
}
