using System.Globalization;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Pricing;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller.Licenses;

/// <summary>
/// One license. Another reseller's license is not found (404), exactly like an id that does not exist. Actions that
/// charge (renew, change plan) show the server's price first, from the same call with validate_only, and charge
/// exactly once per confirmation form (its idempotency key).
/// </summary>
[Requires(Permission.ResellerRead)]
public sealed class LicenseDetailModel(LicenseService licenses, LicenseOrderService licenseOrders, CatalogService catalog, OfflineLicenseService offline,
    Events.EventFeed feed, Microsoft.Extensions.Options.IOptions<Operations.LicenseHubOptions> options, TimeProvider clock) : PortalPageModel
{
    private static readonly string[] Confirmations = ["Suspend", "Resume", "Revoke", "Renew", "Release", "ResolveClone", "ChangePlan", "Reissue", "Return", "AddOn"];

    public LicenseView View { get; private set; } = null!;
    public IReadOnlyList<Installation> Installations { get; private set; } = [];
    public IReadOnlyList<ForgottenSeat> ForgottenSeats { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    [FromQuery(Name = "confirm")] public string? Confirm { get; set; }
    /// <summary>The installation a release or re-activation is for: from the confirmation link (?installation=), then posted back.</summary>
    [BindProperty(Name = "installation_id")] public string? Installation { get; set; }
    [BindProperty(Name = "activation_request")] public string? ActivationRequest { get; set; }
    public string? OfflineLicense { get; private set; }

    /// <summary>Terms of a renewal, chosen in the confirmation.</summary>
    [BindProperty(Name = "terms", SupportsGet = true)] public int Terms { get; set; } = 1;

    /// <summary>The target of a plan change, chosen in the confirmation.</summary>
    [BindProperty(Name = "target_plan_id", SupportsGet = true)] public string? TargetPlanId { get; set; }

    /// <summary>The add-on a purchase is for, chosen in the confirmation (or the one removed).</summary>
    [BindProperty(Name = "feature_code", SupportsGet = true)] public string? FeatureCode { get; set; }

    /// <summary>The license's history from the event feed, newest first.</summary>
    public IReadOnlyList<Domain.Events.FeedEvent> Timeline { get; private set; } = [];

    /// <summary>How many days the feed keeps events (the timeline's reach).</summary>
    public int TimelineDays => options.Value.Events.RetentionDays;

    /// <summary>What an event says, for a person.</summary>
    public static string Describe(Domain.Events.FeedEvent e)
    {
        var reason = "";
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(e.Data);
            if (json.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                reason = $" ({r.GetString()})";
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        var what = e.Type switch
        {
            Domain.Events.EventTypes.LicenseAssigned => "Assigned",
            Domain.Events.EventTypes.LicenseRenewed => "Renewed",
            Domain.Events.EventTypes.LicensePlanChanged => "Plan changed",
            Domain.Events.EventTypes.LicenseSuspended => "Suspended",
            Domain.Events.EventTypes.LicenseResumed => "Resumed",
            Domain.Events.EventTypes.LicenseRevoked => "Revoked",
            Domain.Events.EventTypes.LicenseExpiring => "Expiry notice sent",
            Domain.Events.EventTypes.LicenseExpired => "Expired",
            Domain.Events.EventTypes.LicenseTrialEnding => "Trial ending notice sent",
            Domain.Events.EventTypes.LicenseAddOnAdded => "Add-on bought",
            Domain.Events.EventTypes.LicenseAddOnRemoved => "Add-on removed",
            Domain.Events.EventTypes.InstallationActivated => "Activated on a server",
            Domain.Events.EventTypes.InstallationReleased => "Server released",
            Domain.Events.EventTypes.InstallationCloneSuspected => "Copies of a server suspected",
            _ => e.Type,
        };
        return what + reason;
    }

    /// <summary>The license's add-ons.</summary>
    public IReadOnlyList<AddOnView> AddOns { get; private set; } = [];

    /// <summary>Add-ons the license's plan sells that it does not have yet, at this reseller's prices (per term).</summary>
    public IReadOnlyList<(string Code, Money Price)> AddOnOffers { get; private set; } = [];

    /// <summary>Made when a confirmation is shown: confirming it twice orders once.</summary>
    [BindProperty(Name = "idempotency_key")] public string IdempotencyKey { get; set; } = "";

    /// <summary>The server's price for the confirmation shown (renew, change plan); null until there is one.</summary>
    public LicenseOrderResult? Quote { get; private set; }

    /// <summary>Why the action shown cannot be done, from the server's own check (e.g. more than 10 terms ahead).</summary>
    public string? QuoteError { get; private set; }

    /// <summary>The other plans of the license's product, for a plan change.</summary>
    public IReadOnlyList<Plan> OtherPlans { get; private set; } = [];

    /// <summary>The new key after a reissue, shown once.</summary>
    public string? NewKey { get; private set; }

    public string ConfirmVerb => Confirm switch
    {
        "Suspend" => "suspend it",
        "Resume" => "resume it",
        "Revoke" => "revoke it",
        "Renew" => Quote?.Order is { } order ? $"renew for {PortalHtml.Money(order.AmountMinor, order.Currency)}" : "renew it",
        "Release" => "release the server",
        "ChangePlan" => Quote switch
        {
            { Order: { } order } => $"upgrade for {PortalHtml.Money(order.AmountMinor, order.Currency)}",
            { Scheduled: true } => "schedule the change",
            _ => "keep the current plan",
        },
        "Reissue" => "issue a new key",
        "Return" => "return it",
        "AddOn" => Quote?.Order is { } addOn ? $"buy it for {PortalHtml.Money(addOn.AmountMinor, addOn.Currency)}" : "buy it",
        "ResolveClone" => "re-activate it",
        _ => "",
    };

    public string ConfirmHeading => Confirm switch
    {
        "Release" => "Release this server?",
        "ChangePlan" => "Change this license's plan?",
        "Reissue" => "Issue a new key for this license?",
        "ResolveClone" => "Re-activate this server?",
        "AddOn" => "Buy an add-on for this license?",
        _ => $"{Confirm} this license?",
    };

    public string ConfirmText => Confirm switch
    {
        "Suspend" => "The server(s) using it are told the license is suspended at their next check-in. You can resume it later.",
        "Resume" => "The license becomes active again at the servers' next check-in.",
        "Revoke" => "Revoking is permanent: the license stops working at the servers' next check-in and cannot be resumed or renewed. The pool is not refunded.",
        "Renew" => $"Each term adds {View.Plan.TermDays} days, counted from the later of today and the current expiry; a license can be paid at most {Domain.Licensing.License.MaxTermsAhead} terms ahead. The renewal is an order charged to your account.",
        "Release" => $"The server loses this license so it can move to a new one. This uses one transfer ({View.License.TransfersUsed} of {View.Plan.TransferBudget} used so far).",
        "ChangePlan" => "A dearer plan applies at once and costs the difference for the time the license has left (an order). A cheaper one applies at the next renewal, which is then priced at that plan; nothing is charged now.",
        "Reissue" => "The current key stops activating at once; servers already using this license keep working. The new key is shown once, on the next page.",
        "Return" => $"The license was never activated, so its seat can go back to your pool until {(View.ReturnableUntil is { } until ? PortalHtml.DateTime(until) : "the end of the return window")}. The license is revoked and its key stops working; no money is refunded, the seat can be assigned again.",
        "AddOn" => "An add-on costs its price for the time the license has left (an order), reaches the servers at their next check-in, and is renewed with the license from then on. Removing it later keeps it until the next renewal.",
        "ResolveClone" => "The suspicion ends and the credential every copy of this installation holds stops working. Then activate the genuine "
            + "machine again with 'lh-agent activate' and the license key: it takes the installation over, and the copies stay refused. "
            + "This uses no transfer.",
        _ => "",
    };

    public async Task OnGetAsync(string id, [FromQuery(Name = "installation")] string? installation, CancellationToken ct)
    {
        // A property bound for POST is not bound on GET: the confirmation link names the installation in the query.
        Installation = installation;
        if (!Confirmations.Contains(Confirm))
        {
            Confirm = null;
        }
        IdempotencyKey = "portal-" + Guid.NewGuid().ToString("N");
        await LoadAsync(id, ct);
        if (Confirm == "Renew")
        {
            await QuoteAsync(() => licenseOrders.RenewAsync(Caller, [id], Terms, IdempotencyKey, validateOnly: true, ct));
        }
        else if (Confirm == "ChangePlan" && !string.IsNullOrEmpty(TargetPlanId))
        {
            await QuoteAsync(() => licenseOrders.ChangePlanAsync(Caller, [id], TargetPlanId, IdempotencyKey, validateOnly: true, ct));
        }
        else if (Confirm == "AddOn" && !string.IsNullOrEmpty(FeatureCode))
        {
            await QuoteAsync(() => licenseOrders.BuyAddOnAsync(Caller, [id], FeatureCode, IdempotencyKey, validateOnly: true, ct));
        }
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostAddOnAsync(string id, CancellationToken ct)
    {
        LicenseOrderResult? result = null;
        if (await TryAsync(async () => result = await licenseOrders.BuyAddOnAsync(Caller, [id], FeatureCode, IdempotencyKey, validateOnly: false, ct)))
        {
            var order = result!.Order!;
            return Done(result.Replayed
                    ? "This add-on had already been bought; nothing was charged twice."
                    : $"Bought {order.FeatureCode}: {PortalHtml.Money(order.AmountMinor, order.Currency)} charged. Servers get it at their next check-in.",
                "/Reseller/Licenses/Detail", new { id });
        }
        return await ShowAgainAsync(id, "AddOn", ct);
    }

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostRemoveAddOnAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenseOrders.RemoveAddOnAsync(Caller, id, FeatureCode, ct),
            "The add-on ends at the next renewal: it is paid until then, and the renewal no longer charges for it.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostSuspendAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.SuspendAsync(Caller, id, ct), "The license is suspended.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostResumeAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ResumeAsync(Caller, id, ct), "The license is active again.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostRevokeAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.RevokeAsync(Caller, id, ct), "The license is revoked.", ct);

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostRenewAsync(string id, CancellationToken ct)
    {
        LicenseOrderResult? result = null;
        if (await TryAsync(async () => result = await licenseOrders.RenewAsync(Caller, [id], Terms, IdempotencyKey, validateOnly: false, ct)))
        {
            var order = result!.Order!;
            return Done(result.Replayed
                    ? "This renewal had already been ordered; nothing was charged twice."
                    : $"Renewed for {order.Terms} term(s): {PortalHtml.Money(order.AmountMinor, order.Currency)} charged. It now expires {PortalHtml.DateTime(result.Licenses[0].License.ExpiresAt)}.",
                "/Reseller/Licenses/Detail", new { id });
        }
        return await ShowAgainAsync(id, "Renew", ct);
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostChangePlanAsync(string id, CancellationToken ct)
    {
        LicenseOrderResult? result = null;
        if (await TryAsync(async () => result = await licenseOrders.ChangePlanAsync(Caller, [id], TargetPlanId, IdempotencyKey, validateOnly: false, ct)))
        {
            var view = result!.Licenses[0];
            var notice = result switch
            {
                { Order: { } order } => $"Upgraded to {ResellerDashboardModel.PlanName(view.Plan)}: {PortalHtml.Money(order.AmountMinor, order.Currency)} charged. Servers get the new plan at their next check-in.",
                { Scheduled: true } => $"The license moves to {(view.PendingPlan is { } p ? ResellerDashboardModel.PlanName(p) : "the new plan")} at its next renewal; nothing was charged.",
                _ => "The license keeps its plan; a scheduled change was cancelled.",
            };
            return Done(notice, "/Reseller/Licenses/Detail", new { id });
        }
        return await ShowAgainAsync(id, "ChangePlan", ct);
    }

    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostReissueAsync(string id, CancellationToken ct)
    {
        // The new key is shown on this response only: never stored, never in a redirect or a cache.
        await TryAsync(async () => NewKey = (await licenses.ReissueKeyAsync(Caller, id, ct)).Key);
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(id, ct);
        return Page();
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostReturnAsync(string id, CancellationToken ct)
    {
        LicenseOrderResult? result = null;
        if (await TryAsync(async () => result = await licenseOrders.ReturnAsync(Caller, id, IdempotencyKey, ct)))
        {
            return Done(result!.Replayed
                    ? "This license had already been returned."
                    : $"The license was returned: its seat is back in the pool ({result.Pool?.Available.ToString("#,##0", CultureInfo.InvariantCulture)} available). Nothing was charged or refunded.",
                "/Reseller/Licenses/Detail", new { id });
        }
        return await ShowAgainAsync(id, "Return", ct);
    }

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostReleaseAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ReleaseInstallationAsync(Caller, id, Installation, ct), "The server was released; the license can be activated on a new one.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public Task<IActionResult> OnPostResolveCloneAsync(string id, CancellationToken ct) =>
        ActAsync(id, () => licenses.ResolveClonedInstallationAsync(Caller, id, Installation, ct), "The server was re-activated: its copies are refused. Activate the genuine machine again with 'lh-agent activate' and the license key.", ct);

    [Requires(Permission.ResellerManageLicenses)]
    public async Task<IActionResult> OnPostOfflineAsync(string id, CancellationToken ct)
    {
        await TryAsync(async () => (OfflineLicense, _) = await offline.CreateAsync(Caller, id, ActivationRequest, ct));
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task<IActionResult> ActAsync(string id, Func<Task> action, string notice, CancellationToken ct)
    {
        if (await TryAsync(action))
        {
            return Done(notice, "/Reseller/Licenses/Detail", new { id });
        }
        await LoadAsync(id, ct);
        return Page();
    }

    /// <summary>A refused confirmation: the same confirmation again, with the server's reason and the current price.</summary>
    private async Task<IActionResult> ShowAgainAsync(string id, string confirm, CancellationToken ct)
    {
        Confirm = confirm;
        await LoadAsync(id, ct);
        if (confirm == "Renew")
        {
            await QuoteAsync(() => licenseOrders.RenewAsync(Caller, [id], Terms, IdempotencyKey, validateOnly: true, ct));
        }
        else if (confirm == "ChangePlan" && !string.IsNullOrEmpty(TargetPlanId))
        {
            await QuoteAsync(() => licenseOrders.ChangePlanAsync(Caller, [id], TargetPlanId, IdempotencyKey, validateOnly: true, ct));
        }
        else if (confirm == "AddOn" && !string.IsNullOrEmpty(FeatureCode))
        {
            await QuoteAsync(() => licenseOrders.BuyAddOnAsync(Caller, [id], FeatureCode, IdempotencyKey, validateOnly: true, ct));
        }
        return Page();
    }

    private async Task QuoteAsync(Func<Task<LicenseOrderResult>> quote)
    {
        var error = Error;
        if (!await TryAsync(async () => Quote = await quote()))
        {
            QuoteError = FieldErrors.Count > 0 ? string.Join(" ", FieldErrors.Values) : Error;
            FieldErrors.Clear();
            Error = error;
        }
    }

    private async Task LoadAsync(string id, CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        (View, Installations, ForgottenSeats) = await licenses.GetAsync(Caller, id, ct);
        // The product's plans at this reseller's own prices.
        PricedPlans = await catalog.ListPlansAsync(Caller, View.Plan.ProductId.ToString(), ct);
        if (Confirm == "ChangePlan")
        {
            OtherPlans = PricedPlans.Where(p => p.Id != View.Plan.Id && !p.Retired && !p.Trial).ToList();
        }
        AddOns = await licenseOrders.AddOnsAsync(View.License.Id, ct);
        Timeline = await feed.LicenseTimelineAsync(Caller, View.License.Id, 50, ct);
        var owned = AddOns.Select(a => a.FeatureCode).ToHashSet(StringComparer.Ordinal);
        AddOnOffers = (PricedPlans.FirstOrDefault(p => p.Id == View.Plan.Id)?.Features ?? [])
            .Where(f => !f.Included && f.Feature is not null && !owned.Contains(f.Feature.Code))
            .Select(f => (f.Feature!.Code, new Money(f.AddOnPriceMinor!.Value, View.Plan.Currency))).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
    }

    private IReadOnlyList<Domain.Catalog.Plan> PricedPlans { get; set; } = [];

    /// <summary>What one more term of <paramref name="plan"/> costs this reseller.</summary>
    public Money RenewalOf(Domain.Catalog.Plan plan) => PricedPlans.FirstOrDefault(p => p.Id == plan.Id)?.RenewalPrice ?? plan.RenewalPrice;

    /// <summary>What one term costs on this license's plan (or, with a scheduled downgrade, on that plan).</summary>
    public Money RenewalPricePerTerm => RenewalOf(View.PendingPlan ?? View.Plan);

    /// <summary>What the add-ons a renewal keeps add per term (those not removed that the renewed plan sells), at this reseller's prices.</summary>
    public Money AddOnsPerTerm
    {
        get
        {
            var plan = PricedPlans.FirstOrDefault(p => p.Id == (View.PendingPlan ?? View.Plan).Id);
            var kept = AddOns.Where(a => !a.RemoveAtRenewal).Select(a => a.FeatureCode).ToHashSet(StringComparer.Ordinal);
            var minor = plan?.Features.Where(f => !f.Included && f.Feature is not null && kept.Contains(f.Feature.Code)).Sum(f => f.AddOnPriceMinor!.Value) ?? 0;
            return new Money(minor, RenewalPricePerTerm.Currency);
        }
    }
}
