using LicenseHub.Server.Catalog;
using LicenseHub.Server.Pools;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerAssign)]
public sealed class AssignModel(PoolAllocator allocator, OrderService orders, CatalogService catalog, AssignedKeyStore keys) : PortalPageModel
{
    public IReadOnlyList<PoolRow> Pools { get; private set; } = [];

    [BindProperty(Name = "pool_id")]
    public string? PoolId { get; set; }

    [BindProperty(Name = "count")]
    public string? Count { get; set; }

    [BindProperty(Name = "references")]
    public string? References { get; set; }

    /// <summary>Made when the form is shown: the same form sent twice assigns once, and shows the same keys.</summary>
    [BindProperty(Name = "idempotency_key")]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync([FromQuery(Name = "pool")] string? pool, CancellationToken ct)
    {
        PoolId = pool;
        Count = "1";
        IdempotencyKey = "portal-" + Guid.NewGuid().ToString("N");
        Pools = await ResellerDashboardModel.PoolRowsAsync(Caller, orders, catalog, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Pools = await ResellerDashboardModel.PoolRowsAsync(Caller, orders, catalog, ct);
        var references = (References ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => (string?)l).ToList();
        var count = 0;
        if (references.Count == 0 && !int.TryParse(Count, out count))
        {
            FieldErrors["count"] = "Enter a whole number of licenses.";
            return Page();
        }
        IReadOnlyList<NewLicense> assigned = [];
        var ok = await TryAsync(async () => (assigned, _, _, _) = await allocator.AssignAsync(Caller, PoolId, references.Count > 0 ? 0 : count, references, ct,
            IdempotencyKey));
        if (!ok)
        {
            MoveReferenceErrors();
            return Page();
        }
        var pool = Pools.Single(p => p.Pool.Id.ToString() == PoolId?.Trim() || p.Pool.Id == assigned[0].License.PoolId);
        var batch = keys.Put(new AssignedBatch(Staff.Id, pool.PlanName,
            assigned.Select(a => new AssignedKey(a.License.Id, a.Key, a.License.ResellerReference, a.License.ExpiresAt)).ToList(),
            assigned[0].License.CreatedAt));
        return RedirectToPage("/Reseller/Assigned", new { id = batch });
    }

    /// <summary>"assignments[3].reseller_reference" is line 4 of the references box.</summary>
    private void MoveReferenceErrors()
    {
        var lines = new List<string>();
        foreach (var (field, message) in FieldErrors.ToList())
        {
            if (field.StartsWith("assignments[", StringComparison.Ordinal))
            {
                var index = field["assignments[".Length..field.IndexOf(']')];
                lines.Add(int.TryParse(index, out var i) ? $"Line {i + 1}: {message}" : message);
                FieldErrors.Remove(field);
            }
            else if (field == "assignments")
            {
                lines.Add(message);
                FieldErrors.Remove(field);
            }
        }
        if (lines.Count > 0)
        {
            FieldErrors["references"] = string.Join(" ", lines.Take(5)) + (lines.Count > 5 ? $" (and {lines.Count - 5} more)" : "");
        }
    }
}
