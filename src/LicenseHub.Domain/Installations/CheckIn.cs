using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Installations;

/// <summary>One raw check-in. Rolled into anonymous daily counts after the check-in window.</summary>
[EndUserData]
public sealed class CheckIn
{
    [OperationalData, Purpose("identify the row"), Retention(Retention.CheckInWindow)]
    public long Id { get; set; }

    [OperationalData, Purpose("installation that checked in"), Retention(Retention.CheckInWindow)]
    public Guid InstallationId { get; set; }

    [OperationalData, Purpose("product for daily statistics"), Retention(Retention.CheckInWindow)]
    public required string ProductCode { get; set; }

    [OperationalData, Purpose("time of the check-in"), Retention(Retention.CheckInWindow)]
    public DateTimeOffset At { get; set; }

    [TechnicalData, Purpose("version statistics"), Retention(Retention.CheckInWindow)]
    public required string ProductVersion { get; set; }

    [TechnicalData, Purpose("OS statistics (telemetry level basic only)"), Retention(Retention.CheckInWindow)]
    public OsFamily? OsFamily { get; set; }

    [OperationalData, Purpose("validation result"), Retention(Retention.CheckInWindow)]
    public required string Result { get; set; }
}
