using Grpc.Core;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Catalog;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Licensing;
using LicenseHub.Server.Pools;
using LicenseHub.Server.Resellers;
using LicenseHub.V1;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Grpc;

public sealed partial class VendorGrpcService(
    CallerAccessor callers,
    CatalogService catalog,
    ResellerAccounts accounts,
    OrderService orders,
    LicenseService licenses,
    AuditTrail audit,
    Signing.SigningKeyRotation signingKeys,
    Staff.StaffDirectory staff,
    Pricing.PriceBook prices,
    TimeProvider clock) : VendorService.VendorServiceBase
{
    private Caller Caller => callers.Caller;

    [Requires(Permission.VendorAdmin)]
    public override async Task<Product> CreateProduct(CreateProductRequest request, ServerCallContext context) =>
        (await catalog.CreateProductAsync(Caller, request.Code, request.Name, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAudit)]
    public override async Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context)
    {
        var products = await catalog.ListProductsAsync(Caller, context.CancellationToken);
        return new ListProductsResponse { Products = { products.Select(p => p.ToProto()) } };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<Plan> CreatePlan(CreatePlanRequest request, ServerCallContext context)
    {
        var plan = await catalog.CreatePlanAsync(Caller, new NewPlan(request.ProductId, request.Code, request.Edition, request.TermDays,
            request.MaxMachines, request.OfflineGraceDays, request.Price?.AmountMinor ?? 0, request.Price?.Currency ?? "",
            request.TransferBudget, request.RenewalPrice?.AmountMinor, request.RenewalPrice?.Currency,
            request.HasReturnWindowDays ? request.ReturnWindowDays : null,
            request.HasRestoreTransfersOnRenewal ? request.RestoreTransfersOnRenewal : null, request.Features.ToList(), AddOns(request.AddOns),
            request.Trial, request.Perpetual), context.CancellationToken);
        return plan.ToProto();
    }

    private static List<Catalog.AddOnOffer> AddOns(IEnumerable<V1.AddOnOffer> offers) =>
        offers.Select(o => new Catalog.AddOnOffer(o.FeatureCode, o.Price?.AmountMinor ?? 0)).ToList();

    [Requires(Permission.VendorAdmin)]
    public override async Task<Plan> UpdatePlan(UpdatePlanRequest request, ServerCallContext context) =>
        (await catalog.UpdatePlanAsync(Caller, request.PlanId, request.Price?.AmountMinor, request.Price?.Currency, request.RenewalPrice?.AmountMinor,
            request.RenewalPrice?.Currency, request.HasRetired ? request.Retired : null, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<Feature> CreateFeature(CreateFeatureRequest request, ServerCallContext context) =>
        (await catalog.CreateFeatureAsync(Caller, request.ProductId, request.Code, request.Name, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAudit)]
    public override async Task<ListFeaturesResponse> ListFeatures(ListFeaturesRequest request, ServerCallContext context) =>
        new() { Features = { (await catalog.ListFeaturesAsync(Caller, request.ProductId, context.CancellationToken)).Select(f => f.ToProto()) } };

    [Requires(Permission.VendorAdmin)]
    public override async Task<Plan> SetPlanFeatures(SetPlanFeaturesRequest request, ServerCallContext context) =>
        (await catalog.SetPlanFeaturesAsync(Caller, request.PlanId, request.Features.ToList(), AddOns(request.AddOns), context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<ResellerPriceLine> SetResellerPrice(SetResellerPriceRequest request, ServerCallContext context) =>
        (await prices.SetAsync(Caller, request.ResellerId, request.PlanId, request.Price?.AmountMinor, request.Price?.Currency,
            request.RenewalPrice?.AmountMinor, request.DiscountPercent, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<RemoveResellerPriceResponse> RemoveResellerPrice(RemoveResellerPriceRequest request, ServerCallContext context)
    {
        await prices.RemoveAsync(Caller, request.ResellerId, request.PlanId, context.CancellationToken);
        return new RemoveResellerPriceResponse();
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<ListResellerPricesResponse> ListResellerPrices(ListResellerPricesRequest request, ServerCallContext context) =>
        new() { Prices = { (await prices.ListAsync(Caller, request.ResellerId, context.CancellationToken)).Select(p => p.ToProto()) } };

    [Requires(Permission.VendorAudit)]
    public override async Task<GetRevenueResponse> GetRevenue(GetRevenueRequest request, ServerCallContext context)
    {
        var lines = await prices.RevenueAsync(Caller, request.From?.ToDateTimeOffset(), request.To?.ToDateTimeOffset(), context.CancellationToken);
        return new GetRevenueResponse
        {
            Lines =
            {
                lines.Select(l => new RevenueLine
                {
                    ResellerId = l.ResellerId.ToString(),
                    CompanyName = l.CompanyName,
                    Amount = new Domain.Pricing.Money(l.AmountMinor, l.Currency).ToProto(),
                    Orders = l.Orders,
                }),
            },
        };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<Reseller> SetTrialQuota(SetTrialQuotaRequest request, ServerCallContext context) =>
        (await accounts.SetTrialQuotaAsync(Caller, request.ResellerId, request.TrialsPerMonth, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAudit)]
    public override async Task<ListPlansResponse> ListPlans(ListPlansRequest request, ServerCallContext context)
    {
        var plans = await catalog.ListPlansAsync(Caller, request.ProductId, context.CancellationToken);
        return new ListPlansResponse { Plans = { plans.Select(p => p.ToProto()) } };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<Reseller> CreateReseller(CreateResellerRequest request, ServerCallContext context) =>
        (await accounts.CreateAsync(Caller, new NewReseller(request.CompanyName, request.Country, request.VatId,
            request.BillingContactName, request.BillingContactEmail), context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<Reseller> GetReseller(GetResellerRequest request, ServerCallContext context) =>
        (await accounts.GetAsync(Caller, request.ResellerId, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<ListResellersResponse> ListResellers(ListResellersRequest request, ServerCallContext context)
    {
        Domain.Resellers.ResellerStatus? status = request.Status switch
        {
            ResellerStatus.Unspecified => null,
            ResellerStatus.Active => Domain.Resellers.ResellerStatus.Active,
            ResellerStatus.Suspended => Domain.Resellers.ResellerStatus.Suspended,
            _ => throw new ValidationException("status", "is not a known reseller status"),
        };
        var (items, next) = await accounts.ListAsync(Caller, request.Page?.PageSize ?? 0, request.Page?.PageToken, status,
            context.CancellationToken);
        return new ListResellersResponse { Resellers = { items.Select(r => r.ToProto()) }, NextPageToken = next };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<Reseller> SuspendReseller(SuspendResellerRequest request, ServerCallContext context) =>
        (await accounts.SuspendAsync(Caller, request.ResellerId, request.Reason, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<Reseller> ResumeReseller(ResumeResellerRequest request, ServerCallContext context) =>
        (await accounts.ResumeAsync(Caller, request.ResellerId, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<CreateApiKeyResponse> CreateResellerApiKey(CreateResellerApiKeyRequest request, ServerCallContext context)
    {
        var (info, key) = await accounts.CreateResellerKeyAsync(Caller, request.ResellerId, request.Name,
            ProtoMapping.FromProto(request.Role), context.CancellationToken);
        return new CreateApiKeyResponse { Info = info.ToProto(), ApiKey = key };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<CreateApiKeyResponse> CreateVendorApiKey(CreateVendorApiKeyRequest request, ServerCallContext context)
    {
        var (info, key) = await accounts.CreateVendorKeyAsync(Caller, request.Name, ProtoMapping.FromProto(request.Role),
            context.CancellationToken);
        return new CreateApiKeyResponse { Info = info.ToProto(), ApiKey = key };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<ApiKeyInfo> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context) =>
        (await accounts.RevokeKeyAsync(Caller, request.ApiKeyId, context.CancellationToken)).ToProto();

    [Requires(Permission.VendorAdmin)]
    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var keys = await accounts.ListKeysAsync(Caller, request.ResellerId, context.CancellationToken);
        return new ListApiKeysResponse { ApiKeys = { keys.Select(k => k.ToProto()) } };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<ListPoolsResponse> ListPools(VendorListPoolsRequest request, ServerCallContext context)
    {
        var (items, next) = await orders.ListPoolsAsync(Caller, ResellerFilter(request.ResellerId), request.Page?.PageSize ?? 0,
            request.Page?.PageToken, context.CancellationToken);
        return new ListPoolsResponse { Pools = { items.Select(p => p.ToProto()) }, NextPageToken = next };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<ListOrdersResponse> ListOrders(VendorListOrdersRequest request, ServerCallContext context)
    {
        var (items, next) = await orders.ListAsync(Caller, ResellerFilter(request.ResellerId), request.Page?.PageSize ?? 0,
            request.Page?.PageToken, context.CancellationToken);
        return new ListOrdersResponse { Orders = { items.Select(o => o.ToProto()) }, NextPageToken = next };
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<License> SuspendLicense(VendorLicenseRequest request, ServerCallContext context)
    {
        return (await licenses.SuspendAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<License> ResumeLicense(VendorLicenseRequest request, ServerCallContext context)
    {
        return (await licenses.ResumeAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<License> RestoreTransfers(VendorLicenseRequest request, ServerCallContext context)
    {
        return (await licenses.RestoreTransfersAsync(Caller, request.LicenseId, context.CancellationToken)).ToProto(clock.Now());
    }

    [Requires(Permission.VendorAdmin)]
    public override async Task<RotateSigningKeyResponse> RotateSigningKey(RotateSigningKeyRequest request, ServerCallContext context)
    {
        var (active, retired) = await signingKeys.RotateAsync(Caller, context.CancellationToken);
        var response = new RotateSigningKeyResponse { Active = ToProto(active) };
        if (retired is not null)
        {
            response.Retired = ToProto(retired);
        }
        return response;
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<ListSigningKeysResponse> ListSigningKeys(ListSigningKeysRequest request, ServerCallContext context)
    {
        var keys = await signingKeys.ListAsync(Caller, context.CancellationToken);
        return new ListSigningKeysResponse { Keys = { keys.Select(ToProto) } };
    }

    private static SigningKeyInfo ToProto(Domain.Signing.SigningKey key)
    {
        var info = new SigningKeyInfo { Kid = key.Kid, CreatedAt = key.CreatedAt.ToProto(), Active = key.RetiredAt is null };
        if (key.RetiredAt is { } retired)
        {
            info.RetiredAt = retired.ToProto();
        }
        if (key.LastTokenExpiresAt is { } until)
        {
            info.PublishedUntil = until.ToProto();
        }
        return info;
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var (events, next) = await audit.ListAsync(Caller, request.Page?.PageSize ?? 0, request.Page?.PageToken,
            new AuditFilter(request.ObjectId, request.Action, request.Actor, request.FromDate, request.ToDate), context.CancellationToken);
        var notes = await audit.NotesAsync(Caller, events, context.CancellationToken);
        return new ListAuditEventsResponse { Events = { events.Select(e => e.ToProto(notes)) }, NextPageToken = next };
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        var (intact, count, broken, problem) = await audit.VerifyAsync(context.CancellationToken);
        return new VerifyAuditChainResponse { Intact = intact, EventsChecked = count, FirstBrokenSequence = broken, Problem = problem };
    }

    private static Guid? ResellerFilter(string? resellerId)
    {
        var v = new Validator();
        var id = v.OptionalId("reseller_id", resellerId);
        v.ThrowIfInvalid();
        return id;
    }
}
