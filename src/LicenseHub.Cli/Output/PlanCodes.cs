using LicenseHub.V1;

namespace LicenseHub.Cli.Output;

/// <summary>
/// Plan codes for the tables people read (<c>pro-yearly</c> instead of a UUID), fetched with one call before a list is
/// printed. <c>--json</c> prints the server's response as it is, ids included, so nothing is fetched for it.
/// </summary>
public sealed class PlanCodes
{
    private readonly IReadOnlyDictionary<string, string> _codes;

    private PlanCodes(IReadOnlyDictionary<string, string> codes) => _codes = codes;

    public static PlanCodes None { get; } = new(new Dictionary<string, string>());

    /// <summary>The code of a plan, or its id when the caller's plan list does not have it (a plan no longer sold).</summary>
    public string Of(string planId) => _codes.TryGetValue(planId, out var code) ? code : planId;

    /// <summary>The plans a reseller may see: its price list.</summary>
    public static async Task<PlanCodes> ForResellerAsync(Session session, CancellationToken ct) => session.Printer.Json
        ? None
        : From((await session.Reseller.ListPlansAsync(new ResellerListPlansRequest(), cancellationToken: ct)).Plans);

    /// <summary>Every plan of every product.</summary>
    public static async Task<PlanCodes> ForVendorAsync(Session session, CancellationToken ct) => session.Printer.Json
        ? None
        : From((await session.Vendor.ListPlansAsync(new ListPlansRequest(), cancellationToken: ct)).Plans);

    private static PlanCodes From(IEnumerable<Plan> plans) => new(plans.ToDictionary(p => p.Id, p => p.Code, StringComparer.Ordinal));
}
