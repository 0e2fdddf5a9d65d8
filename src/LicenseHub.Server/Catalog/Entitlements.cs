using LicenseHub.Data;
using LicenseHub.Domain.Licensing;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Catalog;

/// <summary>
/// The features a license grants: those its plan includes and its add-ons. Kept on the license row
/// (<see cref="License.Entitlements"/>) so that a check-in reads them with the license, in its one query; written again
/// whenever a plan, a plan's features or an add-on changes.
/// </summary>
public static class Entitlements
{
    /// <summary>The codes of the features <paramref name="planId"/> includes.</summary>
    public static async Task<IReadOnlyList<string>> IncludedAsync(LicenseHubDbContext db, Guid planId, CancellationToken ct) =>
        await (from pf in db.PlanFeatures.AsNoTracking()
               join f in db.Features.AsNoTracking() on pf.FeatureId equals f.Id
               where pf.PlanId == planId && pf.AddOnPriceMinor == null
               select f.Code).ToListAsync(ct);

    /// <summary>
    /// Sets <see cref="License.Entitlements"/> on each of <paramref name="licenses"/> (tracked or not; nothing is written):
    /// its plan's included features and its add-ons.
    /// </summary>
    public static async Task ApplyAsync(LicenseHubDbContext db, IReadOnlyList<License> licenses, CancellationToken ct)
    {
        var planIds = licenses.Select(l => l.PlanId).Distinct().ToList();
        var included = (await (from pf in db.PlanFeatures.AsNoTracking()
                               join f in db.Features.AsNoTracking() on pf.FeatureId equals f.Id
                               where planIds.Contains(pf.PlanId) && pf.AddOnPriceMinor == null
                               select new { pf.PlanId, f.Code }).ToListAsync(ct))
            .ToLookup(x => x.PlanId, x => x.Code);
        var ids = licenses.Select(l => l.Id).ToList();
        var addOns = new List<(Guid LicenseId, string Code)>();
        // In slices: a renewal covers up to 10,000 licenses, more than one IN list should carry.
        foreach (var slice in ids.Chunk(1000))
        {
            addOns.AddRange((await (from a in db.LicenseAddOns.AsNoTracking()
                                    join f in db.Features.AsNoTracking() on a.FeatureId equals f.Id
                                    where slice.Contains(a.LicenseId)
                                    select new { a.LicenseId, f.Code }).ToListAsync(ct)).Select(x => (x.LicenseId, x.Code)));
        }
        var byLicense = addOns.ToLookup(a => a.LicenseId, a => a.Code);
        foreach (var license in licenses)
        {
            license.Grant(included[license.PlanId].Concat(byLicense[license.Id]));
        }
    }

    /// <summary>Writes the entitlements of every license of <paramref name="planId"/> again (its features changed).</summary>
    public static async Task RewritePlanAsync(LicenseHubDbContext db, Guid planId, CancellationToken ct)
    {
        var codes = License.JoinCodes(await IncludedAsync(db, planId, ct));
        // Licenses without add-ons: one statement. Those with add-ons: each on its own (few, and bounded by the add-ons sold).
        await db.Licenses.Where(l => l.PlanId == planId && !db.LicenseAddOns.Any(a => a.LicenseId == l.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Entitlements, codes), ct);
        var withAddOns = await db.Licenses.AsNoTracking().Where(l => l.PlanId == planId && db.LicenseAddOns.Any(a => a.LicenseId == l.Id)).ToListAsync(ct);
        await ApplyAsync(db, withAddOns, ct);
        foreach (var license in withAddOns)
        {
            await db.Licenses.Where(l => l.Id == license.Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Entitlements, license.Entitlements), ct);
        }
    }
}
