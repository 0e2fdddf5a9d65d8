using LicenseHub.Data;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Resellers;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Audit;

/// <summary>
/// Readable names for the ids a page of audit events carries: who (a staff member, an API key) and what (a reseller,
/// a license, a plan...). One query per kind of id for the whole page, never one per event. A staff member's name
/// and e-mail address are personal data: only a vendor admin reads them; an auditor sees the role and the company.
/// </summary>
public sealed class AuditLabels(LicenseHubDbContext db)
{
    /// <summary>Labels by actor id (<c>staff:&lt;id&gt;</c>, <c>apikey:&lt;id&gt;</c>) and by <c>type:id</c> of the object.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DescribeAsync(Caller caller, IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (events.Count == 0)
        {
            return labels;
        }
        var actors = events.Select(e => AuditActors.Split(e.ActorId)).OfType<(string Kind, Guid Id)>().Distinct().ToList();
        var staffIds = Ids(actors.Where(a => a.Kind == "staff").Select(a => a.Id), events, "staff");
        var keyIds = Ids(actors.Where(a => a.Kind == "apikey").Select(a => a.Id), events, "apikey");
        var licenseIds = Ids([], events, "license");
        var installationIds = Ids([], events, "installation");
        var planIds = Ids([], events, "plan");
        var productIds = Ids([], events, "product");
        var orderIds = Ids([], events, "order");
        var poolIds = Ids([], events, "pool");

        var personal = PermissionPolicy.Grants(caller, Permission.VendorAdmin);
        var staff = staffIds.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => staffIds.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email, u.Role, u.ResellerId }).ToListAsync(ct);
        var keys = keyIds.Count == 0 ? [] : await db.ApiKeys.AsNoTracking().Where(k => keyIds.Contains(k.Id))
            .Select(k => new { k.Id, k.Name, k.Role, k.ResellerId }).ToListAsync(ct);
        var installations = installationIds.Count == 0 ? [] : await db.Installations.AsNoTracking().Where(i => installationIds.Contains(i.Id))
            .Select(i => new { i.Id, i.LicenseId }).ToListAsync(ct);
        var orders = orderIds.Count == 0 ? [] : await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id))
            .Select(o => new { o.Id, o.ResellerId, o.Kind }).ToListAsync(ct);
        var pools = poolIds.Count == 0 ? [] : await db.Pools.AsNoTracking().Where(p => poolIds.Contains(p.Id))
            .Select(p => new { p.Id, p.ResellerId, p.PlanId }).ToListAsync(ct);
        licenseIds.UnionWith(installations.Select(i => i.LicenseId));
        var licenses = licenseIds.Count == 0 ? [] : await db.Licenses.AsNoTracking().Where(l => licenseIds.Contains(l.Id))
            .Select(l => new { l.Id, l.ResellerId, l.PlanId }).ToListAsync(ct);
        planIds.UnionWith(licenses.Select(l => l.PlanId));
        planIds.UnionWith(pools.Select(p => p.PlanId));
        var plans = planIds.Count == 0 ? [] : await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id))
            .Select(p => new { p.Id, p.Code }).ToDictionaryAsync(p => p.Id, p => p.Code, ct);
        var products = productIds.Count == 0 ? [] : await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id))
            .Select(p => new { p.Id, p.Code }).ToListAsync(ct);

        var resellerIds = Ids([], events, "reseller");
        resellerIds.UnionWith(staff.Select(s => s.ResellerId).OfType<Guid>());
        resellerIds.UnionWith(keys.Select(k => k.ResellerId).OfType<Guid>());
        resellerIds.UnionWith(licenses.Select(l => l.ResellerId));
        resellerIds.UnionWith(orders.Select(o => o.ResellerId));
        resellerIds.UnionWith(pools.Select(p => p.ResellerId));
        var companies = resellerIds.Count == 0 ? [] : await db.Resellers.AsNoTracking()
            .Where(r => resellerIds.Contains(r.Id) && r.Status != ResellerStatus.Deleted)
            .Select(r => new { r.Id, r.CompanyName }).ToDictionaryAsync(r => r.Id, r => r.CompanyName, ct);
        string At(Guid? resellerId) => resellerId is { } id ? " at " + companies.GetValueOrDefault(id, "reseller " + Short(id)) : "";

        foreach (var s in staff)
        {
            var who = personal ? $"{s.DisplayName} <{s.Email}>" : Caller.RoleName(s.Role) + " (staff)";
            labels[$"staff:{s.Id}"] = who + At(s.ResellerId);
        }
        foreach (var k in keys)
        {
            labels[$"apikey:{k.Id}"] = $"API key “{k.Name}” ({Caller.RoleName(k.Role)})" + At(k.ResellerId);
        }
        foreach (var (id, company) in companies)
        {
            labels[$"reseller:{id}"] = company;
        }
        var licenseLabels = licenses.ToDictionary(l => l.Id, l => $"license {Short(l.Id)} ({plans.GetValueOrDefault(l.PlanId, "plan")})" + At(l.ResellerId));
        foreach (var (id, label) in licenseLabels)
        {
            labels[$"license:{id}"] = label;
        }
        foreach (var i in installations)
        {
            labels[$"installation:{i.Id}"] = $"installation {Short(i.Id)} of " + licenseLabels.GetValueOrDefault(i.LicenseId, "license " + Short(i.LicenseId));
        }
        foreach (var o in orders)
        {
            labels[$"order:{o.Id}"] = $"{o.Kind.ToString().ToLowerInvariant()} order {Short(o.Id)}" + At(o.ResellerId);
        }
        foreach (var p in pools)
        {
            labels[$"pool:{p.Id}"] = $"pool of {plans.GetValueOrDefault(p.PlanId, "plan " + Short(p.PlanId))}" + At(p.ResellerId);
        }
        foreach (var (id, code) in plans)
        {
            labels[$"plan:{id}"] = $"plan {code}";
        }
        foreach (var p in products)
        {
            labels[$"product:{p.Id}"] = $"product {p.Code}";
        }
        return labels;
    }

    /// <summary>
    /// The last eight characters of an id: ids are UUIDv7, whose first characters are the time they were made, so
    /// ids made together share them; the end is random.
    /// </summary>
    public static string Short(Guid id) => "…" + id.ToString()[^8..];

    private static HashSet<Guid> Ids(IEnumerable<Guid> seed, IReadOnlyList<AuditEvent> events, string objectType)
    {
        var ids = new HashSet<Guid>(seed);
        foreach (var e in events)
        {
            if (e.ObjectType == objectType && Guid.TryParse(e.ObjectId, out var id))
            {
                ids.Add(id);
            }
        }
        return ids;
    }
}
