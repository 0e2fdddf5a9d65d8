using Grpc.Core;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Resellers;
using LicenseHub.V1;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// For reseller keys only: every RPC requires a reseller permission, so a vendor key is refused and pointed to
/// VendorService, whose license operations audit and decide as the vendor's.
/// </summary>
public sealed class ResellerGrpcService(
    CallerAccessor callers,
    CatalogService catalog,
    ResellerAccounts accounts,
    OrderService orders,
    PoolAllocator allocator,
    LicenseOrderService licenseOrders,
    LicenseService licenses,
    OfflineLicenseService offlineLicenses,
    Privacy.ResellerDataRights dataRights,
    TimeProvider clock) : ResellerService.ResellerServiceBase
{
    private Caller Caller => callers.Caller;

    [Requires(Permission.ResellerRead)]
    public override async Task<Reseller> GetAccount(GetAccountRequest request, ServerCallContext context) =>
        (await accounts.GetAsync(Caller, null, context.CancellationToken)).ToProto();

    [Requires(Permission.ResellerRead)]
    public override async Task<ResellerListPlansResponse> ListPlans(ResellerListPlansRequest request, ServerCallContext context)
    {
        var plans = await catalog.ListPlansAsync(Caller, null, context.CancellationToken);
        // At the reseller's own prices (CatalogService applies its price list).
        return new ResellerListPlansResponse { Plans = { plans.Select(p => p.ToProto()) } };
    }

    [Requires(Permission.ResellerBuy)]
    public override async Task<CreateOrderResponse> CreateOrder(CreateOrderRequest request, ServerCallContext context)
    {
        var result = await orders.CreateAsync(Caller, request.PlanId, request.Quantity, request.IdempotencyKey, context.CancellationToken);
        return new CreateOrderResponse { Order = result.Order.ToProto([]), Pool = result.Pool.ToProto(), Replayed = result.Replayed };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var (items, next) = await orders.ListAsync(Caller, null, request.Page?.PageSize ?? 0, request.Page?.PageToken, context.CancellationToken);
        return new ListOrdersResponse { Orders = { items.Select(o => o.ToProto()) }, NextPageToken = next };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ListPoolsResponse> ListPools(ListPoolsRequest request, ServerCallContext context)
    {
        var (items, next) = await orders.ListPoolsAsync(Caller, null, request.Page?.PageSize ?? 0, request.Page?.PageToken,
            context.CancellationToken);
        return new ListPoolsResponse { Pools = { items.Select(p => p.ToProto()) }, NextPageToken = next };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<Pool> GetPool(GetPoolRequest request, ServerCallContext context) =>
        (await orders.GetPoolAsync(Caller, request.PoolId, context.CancellationToken)).ToProto();

    [Requires(Permission.ResellerAssign)]
    public override async Task<AssignLicensesResponse> AssignLicenses(AssignLicensesRequest request, ServerCallContext context)
    {
        var (assigned, pool, plan, replayed) = await allocator.AssignAsync(Caller, request.PoolId, request.Count,
            request.Assignments.Select(a => (string?)a.ResellerReference).ToList(), context.CancellationToken, request.IdempotencyKey);
        var now = clock.Now();
        var response = new AssignLicensesResponse { Pool = pool.ToProto(), Replayed = replayed };
        response.Licenses.AddRange(assigned.Select(a => new AssignedLicense
        {
            License = a.License.ToProto(plan, 0, now),
            LicenseKey = a.Key,
        }));
        return response;
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ListLicensesResponse> ListLicenses(ListLicensesRequest request, ServerCallContext context)
    {
        var filter = new LicenseFilter(ProtoMapping.FromProto(request.State, "state"), request.PlanId, request.ResellerReference,
            ProtoMapping.FromProto(request.ExpiresBefore, "expires_before"), request.PoolId, KeyPrefix(request.KeyPrefix));
        var (items, next) = await licenses.ListAsync(Caller, filter, request.Page?.PageSize ?? 0, request.Page?.PageToken,
            context.CancellationToken);
        var total = await licenses.CountAsync(Caller, filter, context.CancellationToken);
        var now = clock.Now();
        return new ListLicensesResponse { Licenses = { items.Select(l => l.ToProto(now)) }, NextPageToken = next, TotalSize = total };
    }

    /// <summary>Only the lookup prefix of a key: a whole key in a request URL would end up in access logs and proxies.</summary>
    private static string? KeyPrefix(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var compact = value.Replace("-", "").Replace(" ", "").Trim().ToUpperInvariant();
        if (compact.Length != LicenseHub.Domain.Licensing.LicenseKey.PrefixLength || !compact.All(char.IsAsciiLetterOrDigit))
        {
            throw new LicenseHub.Domain.ValidationException("key_prefix", $"must be the first {LicenseHub.Domain.Licensing.LicenseKey.PrefixLength} characters of a license key (never the whole key)");
        }
        return compact;
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<GetLicenseResponse> GetLicense(GetLicenseRequest request, ServerCallContext context)
    {
        var (view, installations, forgotten) = await licenses.GetAsync(Caller, request.LicenseId, context.CancellationToken);
        return new GetLicenseResponse
        {
            License = view.ToProto(clock.Now()),
            Installations = { installations.Select(i => i.ToProto()) },
            ForgottenSeats = { forgotten.Select(s => s.ToProto()) },
            AddOns = { (await licenseOrders.AddOnsAsync(view.License.Id, context.CancellationToken)).Select(a => a.ToProto()) },
        };
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<BuyAddOnResponse> BuyAddOn(BuyAddOnRequest request, ServerCallContext context)
    {
        var result = await licenseOrders.BuyAddOnAsync(Caller, request.LicenseIds.Select(id => (string?)id).ToList(), request.FeatureCode,
            request.IdempotencyKey, request.ValidateOnly, context.CancellationToken);
        var now = clock.Now();
        return new BuyAddOnResponse
        {
            Order = result.Order?.ToProto(result.LicenseIds),
            Licenses = { result.Licenses.Select(l => l.ToProto(now)) },
            Replayed = result.Replayed,
        };
    }

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<License> RemoveAddOn(RemoveAddOnRequest request, ServerCallContext context) =>
        (await licenseOrders.RemoveAddOnAsync(Caller, request.LicenseId, request.FeatureCode, context.CancellationToken)).ToProto(clock.Now());

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<License> SuspendLicense(LicenseActionRequest request, ServerCallContext context) =>
        (await licenses.SuspendAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<License> ResumeLicense(LicenseActionRequest request, ServerCallContext context) =>
        (await licenses.ResumeAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<License> RevokeLicense(LicenseActionRequest request, ServerCallContext context) =>
        (await licenses.RevokeAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());

    // Renewals, plan changes and returns are orders on licenses: buying and managing licenses both.
    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<RenewLicensesResponse> RenewLicenses(RenewLicensesRequest request, ServerCallContext context) =>
        ToProto(await licenseOrders.RenewAsync(Caller, request.LicenseIds.Select(id => (string?)id).ToList(), request.Terms, request.IdempotencyKey,
            request.ValidateOnly, context.CancellationToken));

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<RenewLicensesResponse> RenewLicense(RenewLicenseRequest request, ServerCallContext context)
    {
        try
        {
            return ToProto(await licenseOrders.RenewAsync(Caller, [request.LicenseId], request.Terms, request.IdempotencyKey, request.ValidateOnly,
                context.CancellationToken));
        }
        catch (Domain.ValidationException e) when (e.Violations.Any(v => v.Field.StartsWith("license_ids", StringComparison.Ordinal)))
        {
            // One license: its field is named as this request names it.
            throw new Domain.ValidationException(e.Violations
                .Select(v => v.Field.StartsWith("license_ids", StringComparison.Ordinal) ? v with { Field = "license_id" } : v).ToList());
        }
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<ChangePlanResponse> ChangePlan(ChangePlanRequest request, ServerCallContext context)
    {
        var result = await licenseOrders.ChangePlanAsync(Caller, request.LicenseIds.Select(id => (string?)id).ToList(), request.TargetPlanId,
            request.IdempotencyKey, request.ValidateOnly, context.CancellationToken);
        var now = clock.Now();
        return new ChangePlanResponse
        {
            Order = result.Order?.ToProto(result.LicenseIds),
            Licenses = { result.Licenses.Select(l => l.ToProto(now)) },
            Replayed = result.Replayed,
            Scheduled = result.Scheduled,
        };
    }

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<ReissueLicenseKeyResponse> ReissueLicenseKey(ReissueLicenseKeyRequest request, ServerCallContext context)
    {
        var reissued = await licenses.ReissueKeyAsync(Caller, request.LicenseId, context.CancellationToken);
        return new ReissueLicenseKeyResponse { License = reissued.View.ToProto(clock.Now()), LicenseKey = reissued.Key };
    }

    [Requires(Permission.ResellerBuy)]
    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<ReturnLicenseResponse> ReturnLicense(ReturnLicenseRequest request, ServerCallContext context)
    {
        var result = await licenseOrders.ReturnAsync(Caller, request.LicenseId, request.IdempotencyKey, context.CancellationToken);
        return new ReturnLicenseResponse
        {
            Order = result.Order!.ToProto(result.LicenseIds),
            License = result.Licenses[0].ToProto(clock.Now()),
            Pool = result.Pool?.ToProto(),
            Replayed = result.Replayed,
        };
    }

    private RenewLicensesResponse ToProto(LicenseOrderResult result)
    {
        var now = clock.Now();
        return new RenewLicensesResponse
        {
            Order = result.Order!.ToProto(result.LicenseIds),
            Licenses = { result.Licenses.Select(l => l.ToProto(now)) },
            Replayed = result.Replayed,
        };
    }

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<License> ReleaseInstallation(ReleaseInstallationRequest request, ServerCallContext context) =>
        (await licenses.ReleaseInstallationAsync(Caller, request.LicenseId, request.InstallationId, context.CancellationToken))
            .ToProto(clock.Now());

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<Installation> ResolveClonedInstallation(ResolveClonedInstallationRequest request, ServerCallContext context) =>
        (await licenses.ResolveClonedInstallationAsync(Caller, request.LicenseId, request.InstallationId, context.CancellationToken)).ToProto();

    [Requires(Permission.ResellerManageLicenses)]
    public override async Task<CreateOfflineLicenseResponse> CreateOfflineLicense(CreateOfflineLicenseRequest request, ServerCallContext context)
    {
        var (file, expires) = await offlineLicenses.CreateAsync(Caller, request.LicenseId, request.ActivationRequest, context.CancellationToken);
        return new CreateOfflineLicenseResponse { OfflineLicense = file, ExpiresAt = expires.ToProto() };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ExportMyDataResponse> ExportMyData(ExportMyDataRequest request, ServerCallContext context) =>
        new() { Json = await dataRights.ExportAsync(Caller, context.CancellationToken) };

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<Reseller> UpdateProfile(UpdateProfileRequest request, ServerCallContext context) =>
        (await dataRights.UpdateProfileAsync(Caller, new Privacy.ProfileChange(
            request.HasCompanyName ? request.CompanyName : null,
            request.HasCountry ? request.Country : null,
            request.HasVatId ? request.VatId : null,
            request.HasBillingContactName ? request.BillingContactName : null,
            request.HasBillingContactEmail ? request.BillingContactEmail : null), context.CancellationToken)).ToProto();

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<Reseller> SetProcessingRestriction(SetProcessingRestrictionRequest request, ServerCallContext context) =>
        (await dataRights.SetRestrictionAsync(Caller, request.Restricted, context.CancellationToken)).ToProto();

    [Requires(Permission.ResellerManageAccount)]
    public override async Task<DeleteAccountResponse> DeleteAccount(DeleteAccountRequest request, ServerCallContext context)
    {
        var (erased, kept) = await dataRights.DeleteAccountAsync(Caller, request.ConfirmResellerId, context.CancellationToken);
        return new DeleteAccountResponse { Erased = { erased }, Kept = { kept } };
    }

    [Requires(Permission.ResellerRead)]
    public override async Task<ListApiKeysResponse> ListApiKeys(ResellerListApiKeysRequest request, ServerCallContext context)
    {
        var keys = await accounts.ListKeysAsync(Caller, null, context.CancellationToken);
        return new ListApiKeysResponse { ApiKeys = { keys.Select(k => k.ToProto()) } };
    }
}
