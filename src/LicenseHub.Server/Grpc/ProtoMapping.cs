using Google.Protobuf.WellKnownTypes;
using LicenseHub.Domain;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Licensing;
using Domain = LicenseHub.Domain;
using V1 = LicenseHub.V1;

namespace LicenseHub.Server.Grpc;

/// <summary>Maps domain objects to and from the wire contract.</summary>
internal static class ProtoMapping
{
    public static Timestamp ToProto(this DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    public static V1.Product ToProto(this Domain.Catalog.Product p) => new()
    {
        Id = p.Id.ToString(), Code = p.Code, Name = p.Name, CreatedAt = p.CreatedAt.ToProto(),
    };

    public static V1.Plan ToProto(this Domain.Catalog.Plan p) => new()
    {
        Id = p.Id.ToString(),
        ProductId = p.ProductId.ToString(),
        ProductCode = p.Product?.Code ?? "",
        Code = p.Code,
        Edition = p.Edition,
        TermDays = p.TermDays,
        MaxMachines = p.MaxMachines,
        OfflineGraceDays = p.OfflineGraceDays,
        Price = p.Price.ToProto(),
        TransferBudget = p.TransferBudget,
        RenewalPrice = p.RenewalPrice.ToProto(),
        ReturnWindowDays = p.ReturnWindowDays,
        RestoreTransfersOnRenewal = p.RestoreTransfersOnRenewal,
        Features = { p.Features.Where(f => f.Included).Select(f => f.Feature?.Code ?? "").Order(StringComparer.Ordinal) },
        AddOns = { p.Features.Where(f => !f.Included).OrderBy(f => f.Feature?.Code, StringComparer.Ordinal)
            .Select(f => new V1.AddOnOffer { FeatureCode = f.Feature?.Code ?? "", Price = new Domain.Pricing.Money(f.AddOnPriceMinor!.Value, p.Currency).ToProto() }) },
        Trial = p.Trial,
        Perpetual = p.Perpetual,
        Retired = p.Retired,
    };

    public static V1.LicenseAddOn ToProto(this Pools.AddOnView a) => new()
    {
        FeatureCode = a.FeatureCode, AddedAt = a.AddedAt.ToProto(), RemovedAtRenewal = a.RemoveAtRenewal, OrderId = a.OrderId.ToString(),
    };

    public static V1.Feature ToProto(this Domain.Catalog.Feature f) => new()
    {
        Id = f.Id.ToString(), ProductId = f.ProductId.ToString(), Code = f.Code, Name = f.Name, CreatedAt = f.CreatedAt.ToProto(),
    };

    public static V1.ResellerPriceLine ToProto(this Pricing.PriceLine line) => new()
    {
        ResellerId = line.Line.ResellerId.ToString(),
        PlanId = line.Line.PlanId?.ToString() ?? "",
        PlanCode = line.Plan?.Code ?? "",
        Price = line.Line.PriceMinor is { } price ? new Domain.Pricing.Money(price, line.Plan!.Currency).ToProto() : null,
        RenewalPrice = line.Line.PriceMinor is { } p2 ? new Domain.Pricing.Money(line.Line.RenewalPriceMinor ?? p2, line.Plan!.Currency).ToProto() : null,
        DiscountPercent = line.Line.DiscountBasisPoints is { } bp ? (bp / 100m).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "",
        UpdatedAt = line.Line.UpdatedAt.ToProto(),
    };

    public static V1.Money ToProto(this Domain.Pricing.Money m) => new() { AmountMinor = m.AmountMinor, Currency = m.Currency };

    public static V1.Reseller ToProto(this Domain.Resellers.Reseller r) => new()
    {
        Id = r.Id.ToString(),
        CompanyName = r.CompanyName,
        Country = r.Country,
        VatId = r.VatId ?? "",
        BillingContactName = r.BillingContactName ?? "",
        BillingContactEmail = r.BillingContactEmail ?? "",
        TrialsPerMonth = r.TrialsPerMonth,
        Status = r.Status == Domain.Resellers.ResellerStatus.Active ? V1.ResellerStatus.Active : V1.ResellerStatus.Suspended,
        CreatedAt = r.CreatedAt.ToProto(),
    };

    public static V1.ApiKeyInfo ToProto(this ApiKey k)
    {
        var info = new V1.ApiKeyInfo
        {
            Id = k.Id.ToString(),
            Name = k.Name,
            Role = ToProto(k.Role),
            Prefix = "lh_" + k.Prefix,
            CreatedAt = k.CreatedAt.ToProto(),
            ResellerId = k.ResellerId?.ToString() ?? "",
        };
        if (k.RevokedAt is { } revoked)
        {
            info.RevokedAt = revoked.ToProto();
        }
        if (k.LastUsedAt is { } used)
        {
            info.LastUsedAt = used.ToProto();
        }
        return info;
    }

    public static V1.ApiKeyRole ToProto(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Owner => V1.ApiKeyRole.Owner,
        ApiKeyRole.Manager => V1.ApiKeyRole.Manager,
        ApiKeyRole.Viewer => V1.ApiKeyRole.Viewer,
        ApiKeyRole.VendorAdmin => V1.ApiKeyRole.VendorAdmin,
        ApiKeyRole.VendorAuditor => V1.ApiKeyRole.VendorAuditor,
        _ => V1.ApiKeyRole.Unspecified,
    };

    /// <summary>Null for UNSPECIFIED or an unknown number (the validator reports it).</summary>
    public static ApiKeyRole? FromProto(V1.ApiKeyRole role) => role switch
    {
        V1.ApiKeyRole.Owner => ApiKeyRole.Owner,
        V1.ApiKeyRole.Manager => ApiKeyRole.Manager,
        V1.ApiKeyRole.Viewer => ApiKeyRole.Viewer,
        V1.ApiKeyRole.VendorAdmin => ApiKeyRole.VendorAdmin,
        V1.ApiKeyRole.VendorAuditor => ApiKeyRole.VendorAuditor,
        _ => null,
    };

    public static V1.Order ToProto(this Server.Pools.OrderView view) => view.Order.ToProto(view.LicenseIds);

    public static V1.Order ToProto(this Domain.Pools.Order o, IEnumerable<Guid> licenseIds) => new()
    {
        // A quote is not stored and has no id.
        Id = o.Id == Guid.Empty ? "" : o.Id.ToString(),
        ResellerId = o.ResellerId.ToString(),
        Kind = ToProto(o.Kind),
        PlanId = o.PlanId.ToString(),
        FromPlanId = o.FromPlanId?.ToString() ?? "",
        PoolId = o.PoolId?.ToString() ?? "",
        Quantity = o.Quantity,
        Terms = o.Terms,
        Amount = new Domain.Pricing.Money(o.AmountMinor, o.Currency).ToProto(),
        IdempotencyKey = o.IdempotencyKey,
        CreatedAt = o.CreatedAt.ToProto(),
        // Sorted, so an order reads the same in its first answer, a replay and the order history.
        LicenseIds = { licenseIds.Select(id => id.ToString()).Order(StringComparer.Ordinal) },
        FeatureCode = o.FeatureCode ?? "",
    };

    public static V1.OrderKind ToProto(Domain.Pools.OrderKind kind) => kind switch
    {
        Domain.Pools.OrderKind.Purchase => V1.OrderKind.Purchase,
        Domain.Pools.OrderKind.Renewal => V1.OrderKind.Renewal,
        Domain.Pools.OrderKind.Upgrade => V1.OrderKind.Upgrade,
        Domain.Pools.OrderKind.Return => V1.OrderKind.Return,
        Domain.Pools.OrderKind.AddOn => V1.OrderKind.AddOn,
        _ => V1.OrderKind.Unspecified,
    };

    public static V1.ForgottenSeat ToProto(this Domain.Installations.ForgottenSeat s) => new()
    {
        Id = s.Id.ToString(),
        LicenseId = s.LicenseId.ToString(),
        ForgottenOn = s.ForgottenOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    public static V1.Pool ToProto(this Domain.Pools.Pool p) => new()
    {
        Id = p.Id.ToString(),
        ResellerId = p.ResellerId.ToString(),
        PlanId = p.PlanId.ToString(),
        Purchased = p.Purchased,
        Assigned = p.Assigned,
        Available = p.Available,
    };

    public static V1.License ToProto(this LicenseView view, DateTimeOffset now)
    {
        var license = ToProto(view.License, view.Plan, view.Installations, now);
        license.ForgottenSeats = view.ForgottenSeats;
        if (view.ReturnableUntil is { } until)
        {
            license.ReturnableUntil = until.ToProto();
        }
        return license;
    }

    public static V1.License ToProto(this Domain.Licensing.License l, Domain.Catalog.Plan plan, int installations, DateTimeOffset now) => new()
    {
        Id = l.Id.ToString(),
        ResellerId = l.ResellerId.ToString(),
        PoolId = l.PoolId.ToString(),
        PlanId = l.PlanId.ToString(),
        KeyPrefix = l.KeyPrefix,
        State = ToProto(l.EffectiveState(now)),
        ResellerReference = l.ResellerReference ?? "",
        CreatedAt = l.CreatedAt.ToProto(),
        // A perpetual license has no expiry to show.
        ExpiresAt = l.IsPerpetual ? null : l.ExpiresAt.ToProto(),
        MaxMachines = plan.MaxMachines,
        Installations = installations,
        TransfersUsed = l.TransfersUsed,
        TransferBudget = plan.TransferBudget,
        PendingPlanId = l.PendingPlanId?.ToString() ?? "",
        ReturnedAt = l.ReturnedAt?.ToProto(),
        Features = { l.FeatureCodes },
        Perpetual = l.IsPerpetual,
        MaintenanceUntil = l.MaintenanceUntil?.ToProto(),
        Trial = plan.Trial,
    };

    public static V1.LicenseState ToProto(Domain.Licensing.LicenseState state) => state switch
    {
        Domain.Licensing.LicenseState.Active => V1.LicenseState.Active,
        Domain.Licensing.LicenseState.Suspended => V1.LicenseState.Suspended,
        Domain.Licensing.LicenseState.Revoked => V1.LicenseState.Revoked,
        Domain.Licensing.LicenseState.Expired => V1.LicenseState.Expired,
        _ => V1.LicenseState.Unspecified,
    };

    /// <summary>UNSPECIFIED means "any"; an unknown number is refused.</summary>
    public static Domain.Licensing.LicenseState? FromProto(V1.LicenseState state, string field) => state switch
    {
        V1.LicenseState.Unspecified => null,
        V1.LicenseState.Active => Domain.Licensing.LicenseState.Active,
        V1.LicenseState.Suspended => Domain.Licensing.LicenseState.Suspended,
        V1.LicenseState.Revoked => Domain.Licensing.LicenseState.Revoked,
        V1.LicenseState.Expired => Domain.Licensing.LicenseState.Expired,
        _ => throw new ValidationException(field, "is not a known license state"),
    };

    public static V1.ValidationCode ToProto(this Domain.Licensing.ValidationCode code) => code switch
    {
        Domain.Licensing.ValidationCode.Valid => V1.ValidationCode.Valid,
        Domain.Licensing.ValidationCode.Suspended => V1.ValidationCode.Suspended,
        Domain.Licensing.ValidationCode.Revoked => V1.ValidationCode.Revoked,
        Domain.Licensing.ValidationCode.Expired => V1.ValidationCode.Expired,
        Domain.Licensing.ValidationCode.NotFound => V1.ValidationCode.NotFound,
        Domain.Licensing.ValidationCode.TooManyMachines => V1.ValidationCode.TooManyMachines,
        Domain.Licensing.ValidationCode.FingerprintMismatch => V1.ValidationCode.FingerprintMismatch,
        Domain.Licensing.ValidationCode.ProductMismatch => V1.ValidationCode.ProductMismatch,
        Domain.Licensing.ValidationCode.InstallationReleased => V1.ValidationCode.InstallationReleased,
        Domain.Licensing.ValidationCode.CloneSuspected => V1.ValidationCode.CloneSuspected,
        _ => V1.ValidationCode.Unspecified,
    };

    public static V1.Installation ToProto(this Domain.Installations.Installation i) => new()
    {
        Id = i.Id.ToString(),
        LicenseId = i.LicenseId.ToString(),
        FingerprintPrefix = i.Fingerprint[..12],
        ProductVersion = i.ProductVersion,
        AgentVersion = i.AgentVersion,
        ActivatedAt = i.ActivatedAt.ToProto(),
        LastCheckInAt = i.LastCheckInAt.ToProto(),
        CloneSuspectedAt = i.CloneSuspectedAt?.ToProto(),
    };

    public static V1.AuditEvent ToProto(this Domain.Audit.AuditEvent e, IReadOnlyDictionary<Guid, string> notes) => new()
    {
        Note = Domain.Audit.AuditNote.IdIn(e.Details) is { } noteId && notes.TryGetValue(noteId, out var note) ? note : "",
        Sequence = e.Sequence,
        At = e.At.ToProto(),
        ActorId = e.ActorId,
        Action = e.Action,
        ObjectType = e.ObjectType,
        ObjectId = e.ObjectId,
        Details = e.Details ?? "",
        Hash = e.Hash,
    };

    public static DateTimeOffset? FromProto(Timestamp? timestamp, string field)
    {
        if (timestamp is null)
        {
            return null;
        }
        if (timestamp.Seconds < -62135596800 || timestamp.Seconds > 253402300799 || timestamp.Nanos is < 0 or > 999_999_999)
        {
            throw new ValidationException(field, "is not a valid timestamp");
        }
        return timestamp.ToDateTimeOffset();
    }
}
