using LicenseHub.Data;
using LicenseHub.Domain.Installations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Privacy;

/// <summary>
/// Counts check-ins as they are written, in the same transaction ("least enough": the anonymous daily count is all
/// that is kept of a VALID check-in). Groups are (day, product, version, OS family), as in the statistics; one upsert
/// per group adds a batch's counts, so concurrent writers and replicas add up instead of overwriting.
/// </summary>
internal sealed class DailyCheckInTally
{
    private readonly Dictionary<(DateOnly Day, string Product, string Version, string Os), (int CheckIns, int Installations)> _groups = [];

    /// <param name="firstOfDay">The installation's first check-in of that day: it adds one to the day's distinct installations.</param>
    public void Add(CheckIn checkIn, bool firstOfDay)
    {
        var key = (DateOnly.FromDateTime(checkIn.At.UtcDateTime), checkIn.ProductCode, checkIn.ProductVersion, checkIn.OsFamily?.ToString() ?? "");
        var (checkIns, installations) = _groups.GetValueOrDefault(key);
        _groups[key] = (checkIns + 1, installations + (firstOfDay ? 1 : 0));
    }

    /// <summary>True when <paramref name="previous"/> (the installation's last check-in before this one) was on an earlier day.</summary>
    public static bool FirstOfDay(DateTimeOffset? previous, DateTimeOffset now) =>
        previous is not { } p || DateOnly.FromDateTime(p.UtcDateTime) < DateOnly.FromDateTime(now.UtcDateTime);

    public async Task WriteAsync(LicenseHubDbContext db, CancellationToken ct)
    {
        foreach (var ((day, product, version, os), (checkIns, installations)) in _groups)
        {
            // INSERT … ON CONFLICT DO UPDATE: SQLite (3.24+) and PostgreSQL alike, on the unique index of the group.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "DailyCheckInCounts" ("Day", "ProductCode", "ProductVersion", "OsFamily", "Installations", "CheckIns")
                VALUES ({day}, {product}, {version}, {os}, {installations}, {checkIns})
                ON CONFLICT ("Day", "ProductCode", "ProductVersion", "OsFamily") DO UPDATE SET
                    "Installations" = "DailyCheckInCounts"."Installations" + excluded."Installations",
                    "CheckIns" = "DailyCheckInCounts"."CheckIns" + excluded."CheckIns"
                """, ct);
        }
        _groups.Clear();
    }
}
