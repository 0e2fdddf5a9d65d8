using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Installations;

/// <summary>
/// The seat of an installation its end user had forgotten ("lh-agent forget"): the installation's fingerprint,
/// versions and check-ins are erased at once, but the seat stays taken, anonymously, until the reseller releases
/// it, which spends the license's transfer budget like any release. Forgetting is the end user's right; moving a
/// license for free is not. Nothing here points to a machine: a new id, the license and a day.
/// </summary>
[EndUserData]
public sealed class ForgottenSeat
{
    [OperationalData, Purpose("name the seat for its release"), Retention(Retention.ForgottenSeat)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("the license whose seat it holds"), Retention(Retention.ForgottenSeat)]
    public Guid LicenseId { get; set; }

    [OperationalData, Purpose("show the reseller since when the seat is held (the day only)"), Retention(Retention.ForgottenSeat)]
    public DateOnly ForgottenOn { get; set; }

    /// <summary>The seat a forgotten installation leaves behind, on <paramref name="now"/>'s day.</summary>
    public static ForgottenSeat Of(Guid licenseId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        LicenseId = licenseId,
        ForgottenOn = DateOnly.FromDateTime(now.UtcDateTime),
    };
}
