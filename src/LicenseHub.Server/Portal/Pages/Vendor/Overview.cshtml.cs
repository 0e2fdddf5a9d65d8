using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Vendor;

/// <summary>Revenue by period and by reseller, seats in use, accounts and renewals coming up: the vendor's start page.</summary>
[Requires(Permission.VendorAdmin)]
public sealed class OverviewModel(Pricing.PriceBook prices, PortalQueries queries, TimeProvider clock) : PortalPageModel
{
    /// <summary>What resellers were charged in a period, per currency (amounts in different currencies are never added).</summary>
    public sealed record PeriodRevenue(string Name, IReadOnlyList<(string Currency, long AmountMinor, int Orders)> Totals);

    public IReadOnlyList<PeriodRevenue> Periods { get; private set; } = [];

    /// <summary>The resellers that paid most (all time, per currency), with this month's share.</summary>
    public IReadOnlyList<(Pricing.RevenueLine AllTime, long ThisMonthMinor)> TopResellers { get; private set; } = [];

    public VendorFigures Figures { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var year = new DateTimeOffset(now.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var thisMonth = await prices.RevenueAsync(Caller, month, null, ct);
        var lastMonth = await prices.RevenueAsync(Caller, month.AddMonths(-1), month, ct);
        var thisYear = await prices.RevenueAsync(Caller, year, null, ct);
        var allTime = await prices.RevenueAsync(Caller, null, null, ct);
        Periods =
        [
            new($"This month ({month:MMMM yyyy})", Totals(thisMonth)),
            new($"Last month ({month.AddMonths(-1):MMMM yyyy})", Totals(lastMonth)),
            new($"This year ({year:yyyy})", Totals(thisYear)),
            new("All time", Totals(allTime)),
        ];
        var monthBy = thisMonth.ToDictionary(l => (l.ResellerId, l.Currency), l => l.AmountMinor);
        TopResellers = allTime.Take(10).Select(l => (l, monthBy.GetValueOrDefault((l.ResellerId, l.Currency)))).ToList();
        Figures = await queries.VendorFiguresAsync(Caller, ct);
    }

    private static IReadOnlyList<(string, long, int)> Totals(IReadOnlyList<Pricing.RevenueLine> lines) =>
        lines.GroupBy(l => l.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(l => l.AmountMinor), g.Sum(l => l.Orders))).ToList();
}
