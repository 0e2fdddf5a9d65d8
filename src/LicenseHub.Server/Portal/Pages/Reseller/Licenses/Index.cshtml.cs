using LicenseHub.Server.Persistence;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Security;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal.Pages.Reseller.Licenses;

/// <summary>
/// The license list: LicenseService's keyset paging (newest first, an index on reseller and id), so a page
/// costs the same at the 100,000th license as at the first.
/// </summary>
[Requires(Permission.ResellerRead)]
public sealed class LicenseListModel(LicenseService licenses, CatalogService catalog, TimeProvider clock) : PortalPageModel
{
    public IReadOnlyList<LicenseView> Licenses { get; private set; } = [];
    public IReadOnlyList<Plan> Plans { get; private set; } = [];
    public string Next { get; private set; } = "";
    public DateTimeOffset Now { get; private set; }

    [FromQuery(Name = "q")] public string? Q { get; set; }
    [FromQuery(Name = "state")] public string? State { get; set; }
    [FromQuery(Name = "plan")] public string? Plan { get; set; }
    [FromQuery(Name = "pool")] public string? Pool { get; set; }
    [FromQuery(Name = "expiring")] public string? Expiring { get; set; }
    [FromQuery(Name = "after")] public string? After { get; set; }

    /// <summary>Most licenses one CSV export carries.</summary>
    public const int MaxCsvRows = 100_000;

    /// <summary>
    /// Every license the filters select (state, plan, pool, expiring; not the search box), as CSV for reconciliation:
    /// ids, key prefixes (never keys), plan, state, reference, dates, features, servers.
    /// </summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        Now = clock.Now();
        Plans = await catalog.ListPlansAsync(Caller, null, ct);
        var codes = Plans.ToDictionary(p => p.Id, p => p.Code);
        var filter = new LicenseFilter(StateFilter(), NullIfEmpty(Plan), null, ExpiresBefore(), NullIfEmpty(Pool));
        var csv = new System.Text.StringBuilder("license_id,key_prefix,plan,state,reseller_reference,created_at,expires_at,maintenance_until,features,servers,max_servers\r\n");
        string? after = null;
        var rows = 0;
        do
        {
            IReadOnlyList<LicenseView> page = [];
            string next = "";
            if (!await TryAsync(async () => (page, next) = await licenses.ListAsync(Caller, filter, PageSpec.MaxSize, after, ct)))
            {
                return BadRequest(Error ?? string.Join(" ", FieldErrors.Values));
            }
            foreach (var l in page.Take(MaxCsvRows - rows))
            {
                var license = l.License;
                csv.Append(string.Join(',', license.Id.ToString(), license.KeyPrefix, codes.GetValueOrDefault(license.PlanId, license.PlanId.ToString()),
                    license.EffectiveState(Now).ToString().ToLowerInvariant(), Domain.Pools.OrderCsv.Cell(license.ResellerReference ?? ""),
                    Iso(license.CreatedAt), license.IsPerpetual ? "never" : Iso(license.ExpiresAt), license.MaintenanceUntil is { } m ? Iso(m) : "",
                    Domain.Pools.OrderCsv.Cell(string.Join(' ', license.FeatureCodes)), l.SeatsTaken.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    l.Plan.MaxMachines.ToString(System.Globalization.CultureInfo.InvariantCulture))).Append("\r\n");
                rows++;
            }
            after = string.IsNullOrEmpty(next) || rows >= MaxCsvRows ? null : next;
        }
        while (after is not null);
        return File(System.Text.Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"licenses-{Now.UtcDateTime:yyyy-MM-dd}.csv");
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private LicenseState? StateFilter() => State switch
    {
        "active" => LicenseState.Active,
        "suspended" => LicenseState.Suspended,
        "revoked" => LicenseState.Revoked,
        "expired" => LicenseState.Expired,
        _ => null,
    };

    private DateTimeOffset? ExpiresBefore() => int.TryParse(Expiring, out var days) && days is > 0 and <= 3650 ? Now.AddDays(days) : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Now = clock.Now();
        Plans = await catalog.ListPlansAsync(Caller, null, ct);
        var q = Q?.Trim();
        if (Guid.TryParse(q, out var licenseId))
        {
            return Redirect($"/reseller/licenses/{licenseId}");
        }
        // A key (or its prefix) looks like groups of base32; anything else is the reseller's own reference.
        var compact = q?.Replace("-", "").Replace(" ", "") ?? "";
        var looksLikeKey = LicenseKey.TryNormalize(q, out _)
            || (compact.Length == LicenseKey.PrefixLength && compact.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)));
        LicenseState? state = State switch
        {
            "active" => LicenseState.Active,
            "suspended" => LicenseState.Suspended,
            "revoked" => LicenseState.Revoked,
            "expired" => LicenseState.Expired,
            _ => null,
        };
        DateTimeOffset? expiresBefore = int.TryParse(Expiring, out var days) && days is > 0 and <= 3650 ? Now.AddDays(days) : null;
        var filter = new LicenseFilter(state, NullIfEmpty(Plan), looksLikeKey ? null : NullIfEmpty(q), expiresBefore, NullIfEmpty(Pool),
            looksLikeKey ? q : null);
        var ok = await TryAsync(async () => (Licenses, Next) = await licenses.ListAsync(Caller, filter, PageSpec.DefaultSize, After, ct));
        if (ok && looksLikeKey && Licenses.Count == 0 && !LicenseKey.TryNormalize(q, out _))
        {
            // Eight capitals and digits may also be the reseller's own reference.
            ok = await TryAsync(async () => (Licenses, Next) = await licenses.ListAsync(Caller, filter with { Key = null, ResellerReference = q },
                PageSpec.DefaultSize, After, ct));
        }
        if (!ok)
        {
            foreach (var field in new[] { "reseller_reference", "key" })
            {
                if (FieldErrors.Remove(field, out var message))
                {
                    FieldErrors["q"] = message;
                }
            }
            Error = FieldErrors.Count > 0 && !FieldErrors.ContainsKey("q") ? "The filters are not valid; clear them and try again." : null;
        }
        return Page();
    }

    /// <summary>The CSV of what the filters select (state, plan, pool, expiring).</summary>
    public string CsvLink
    {
        get
        {
            var query = new List<string> { "handler=Csv" };
            foreach (var (name, value) in new[] { ("state", State), ("plan", Plan), ("pool", Pool), ("expiring", Expiring) })
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }
            return "/reseller/licenses?" + string.Join("&", query);
        }
    }

    public string Query(string? after)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
        Add("q", Q);
        Add("state", State);
        Add("plan", Plan);
        Add("pool", Pool);
        Add("expiring", Expiring);
        Add("after", after);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
