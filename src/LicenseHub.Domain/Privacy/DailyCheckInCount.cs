using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Privacy;

/// <summary>
/// Anonymous daily count of check-ins: what raw check-ins become after the check-in window. No ids of
/// installations, licenses or resellers.
/// </summary>
[EndUserData]
public sealed class DailyCheckInCount
{
    [OperationalData, Purpose("identify the row"), Retention(Retention.Indefinite)]
    public long Id { get; set; }

    [TechnicalData, Purpose("usage statistics"), Retention(Retention.Indefinite)]
    public DateOnly Day { get; set; }

    [TechnicalData, Purpose("usage statistics"), Retention(Retention.Indefinite)]
    public required string ProductCode { get; set; }

    [TechnicalData, Purpose("version statistics"), Retention(Retention.Indefinite)]
    public required string ProductVersion { get; set; }

    [TechnicalData, Purpose("OS statistics (telemetry level basic only; empty otherwise)"), Retention(Retention.Indefinite)]
    public required string OsFamily { get; set; }

    [TechnicalData, Purpose("usage statistics: distinct installations that day"), Retention(Retention.Indefinite)]
    public int Installations { get; set; }

    [TechnicalData, Purpose("usage statistics: check-ins that day"), Retention(Retention.Indefinite)]
    public int CheckIns { get; set; }
}
