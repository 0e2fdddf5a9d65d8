using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Agents;

/// <summary>
/// The seats a license's machines take: its installations and the anonymous seats forgotten installations left
/// behind. One count for every rule that compares machines with the plan's max machines (activation, offline
/// files, downgrades), so a forgotten machine keeps its seat until the reseller releases it.
/// </summary>
public static class Seats
{
    public static async Task<int> TakenAsync(LicenseHubDbContext db, Guid licenseId, CancellationToken ct) =>
        await db.Installations.CountAsync(i => i.LicenseId == licenseId, ct) + await db.ForgottenSeats.CountAsync(s => s.LicenseId == licenseId, ct);

    /// <summary>Of these licenses, the first whose seats exceed <paramref name="max"/>, and how many it takes.</summary>
    public static async Task<(Guid LicenseId, int Taken)?> FirstOverAsync(LicenseHubDbContext db, IReadOnlyCollection<Guid> licenseIds, int max,
        CancellationToken ct)
    {
        var installations = db.Installations.AsNoTracking().Where(i => licenseIds.Contains(i.LicenseId)).Select(i => i.LicenseId);
        var forgotten = db.ForgottenSeats.AsNoTracking().Where(s => licenseIds.Contains(s.LicenseId)).Select(s => s.LicenseId);
        var over = await installations.Concat(forgotten).GroupBy(id => id).Select(g => new { LicenseId = g.Key, Count = g.Count() })
            .Where(g => g.Count > max).FirstOrDefaultAsync(ct);
        return over is null ? null : (over.LicenseId, over.Count);
    }
}
