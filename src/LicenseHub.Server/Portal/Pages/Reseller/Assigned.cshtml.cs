using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerAssign)]
public sealed class AssignedModel(AssignedKeyStore keys) : PortalPageModel
{
    public AssignedBatch? Batch { get; private set; }

    public void OnGet(string id)
    {
        Batch = keys.Peek(id, Staff.Id);
        // Keys on a page must not linger in caches.
        Response.Headers.CacheControl = "no-store";
    }

    /// <summary>The CSV, once: the keys are forgotten as it is sent.</summary>
    public IActionResult OnPostCsv(string id)
    {
        var batch = keys.Take(id, Staff.Id);
        if (batch is null)
        {
            return RedirectToPage("/Reseller/Assigned", new { id });
        }
        var csv = new StringBuilder("license_id,license_key,reseller_reference,expires_at\r\n");
        foreach (var k in batch.Keys)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{k.LicenseId},{k.Key},{Escape(k.Reference)},{k.ExpiresAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\r\n");
        }
        Response.Headers.CacheControl = "no-store";
        var name = $"licenses-{batch.AssignedAt.UtcDateTime:yyyyMMdd-HHmmss}.csv";
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        // Quote always, and defuse spreadsheet formulas.
        var safe = value.Length > 0 && "=+-@".Contains(value[0]) ? "'" + value : value;
        return "\"" + safe.Replace("\"", "\"\"") + "\"";
    }
}
