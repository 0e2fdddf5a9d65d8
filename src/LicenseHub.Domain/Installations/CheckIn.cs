using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Installations;

/// <summary>
/// One raw check-in whose answer was not VALID (a fingerprint mismatch, a suspected copy, a revoked license…): evidence
/// for the reseller and the vendor, deleted after the check-in window. Every check-in, VALID or not, is counted in the
/// anonymous daily counts as it is written; a VALID one leaves no raw row.
/// </summary>
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

    [OperationalData, Purpose("counted in the daily counts when written (rows from before counting at check-in are counted by retention)"),
     Retention(Retention.CheckInWindow)]
    public bool Counted { get; set; }
}
