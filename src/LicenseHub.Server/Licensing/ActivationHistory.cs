using LicenseHub.Data;
using LicenseHub.Domain.Licensing;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Licensing;

/// <summary>
/// Whether a license has ever been activated, for the return rule ("a license never activated"). Installations
/// come and go (released, forgotten, or silent past the retention window), so their table alone cannot say; every
/// activation, re-activation and offline license file is an audit event written in the same transaction as the
/// installation, and the audit trail keeps them far longer than any return window.
/// </summary>
public static class ActivationHistory
{
    public static async Task<bool> EverActivatedAsync(LicenseHubDbContext db, License license, CancellationToken ct)
    {
        if (license.TransfersUsed > 0 || await db.Installations.AnyAsync(i => i.LicenseId == license.Id, ct))
        {
            return true;
        }
        var id = license.Id.ToString();
        var details = $"license={id}";
        // Only the events since the assignment: the index on At keeps this to the return window's events.
        return await db.AuditEvents.AsNoTracking().AnyAsync(e => e.At >= license.CreatedAt
            && (((e.Action == "installation.activate" || e.Action == "installation.reactivate") && e.Details != null && e.Details.StartsWith(details))
                || (e.Action == "license.offline_file" && e.ObjectId == id)), ct);
    }
}
