using LicenseHub.Server.Persistence;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;
using LicenseHub.Domain.Resellers;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Security;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Resellers;

namespace LicenseHub.Server.Portal.Pages.Reseller;

public sealed record PoolRow(Pool Pool, string PlanName);

[Requires(Permission.ResellerRead)]
public sealed class ResellerDashboardModel(
    ResellerAccounts accounts,
    OrderService orders,
    CatalogService catalog,
    LicenseService licenses,
    PortalQueries queries,
    TimeProvider clock) : PortalPageModel
{
    public Domain.Resellers.Reseller Account { get; private set; } = null!;
    public LicenseStateCounts States { get; private set; } = new(0, 0, 0, 0);
    public IReadOnlyList<PoolRow> Pools { get; private set; } = [];
    public IReadOnlyList<DayCount> Activity { get; private set; } = [];
    public IReadOnlyList<LicenseView> Expiring { get; private set; } = [];
    public IReadOnlyList<(Domain.Licensing.License License, Domain.Catalog.Plan Plan)> TrialsEnding { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Account = await accounts.GetAsync(Caller, null, ct);
        States = await queries.LicenseStatesAsync(Caller, ct);
        Pools = await PoolRowsAsync(Caller, orders, catalog, ct);
        Activity = await queries.ActiveInstallationsAsync(Caller, 14, ct);
        (Expiring, _) = await licenses.ListAsync(Caller,
            new LicenseFilter(LicenseState.Active, null, null, clock.Now().AddDays(30), null), 10, null, ct);
        TrialsEnding = await queries.TrialsEndingAsync(Caller, Events.ExpiryWatcher.TrialEndingNoticeDays, ct);
    }

    public static async Task<IReadOnlyList<PoolRow>> PoolRowsAsync(Caller caller, OrderService orders, CatalogService catalog, CancellationToken ct)
    {
        var (pools, _) = await orders.ListPoolsAsync(caller, null, PageSpec.MaxSize, null, ct);
        var plans = (await catalog.ListPlansAsync(caller, null, ct)).ToDictionary(p => p.Id);
        return pools.Select(p => new PoolRow(p, plans.TryGetValue(p.PlanId, out var plan) ? PlanName(plan) : "plan " + p.PlanId)).ToList();
    }

    public static string PlanName(Domain.Catalog.Plan plan) =>
        $"{plan.Product?.Name ?? plan.Product?.Code ?? "product"} {plan.Edition} · "
        + (plan.Trial ? $"{plan.TermDays}-day trial" : plan.Perpetual ? $"perpetual, {plan.TermDays} days maintenance" : $"{plan.TermDays} days");
}
