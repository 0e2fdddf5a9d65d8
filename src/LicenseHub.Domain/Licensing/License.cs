using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Licensing;

/// <summary>Stored state of a license. <see cref="LicenseState.Expired"/> is derived from the expiry.</summary>
public enum LicenseState
{
    /// <summary>Usable.</summary>
    Active,
    /// <summary>Temporarily disabled; can be resumed.</summary>
    Suspended,
    /// <summary>Permanently disabled.</summary>
    Revoked,
    /// <summary>Past its expiry (never stored; derived).</summary>
    Expired,
}

/// <summary>One license assigned from a pool. The key itself is never stored, only its hash and prefix.</summary>
public sealed class License
{
    [OperationalData, Purpose("identify the license"), Retention(Retention.LicenseLifetime)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("owner"), Retention(Retention.LicenseLifetime)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("pool it was assigned from"), Retention(Retention.LicenseLifetime)]
    public Guid PoolId { get; set; }

    [OperationalData, Purpose("plan terms"), Retention(Retention.LicenseLifetime)]
    public Guid PlanId { get; set; }

    [OperationalData, Purpose("recognise a key in support without storing it"), Retention(Retention.LicenseLifetime)]
    public required string KeyPrefix { get; set; }

    [SecretData, Purpose("authenticate activations (SHA-256 of the key)"), Retention(Retention.LicenseLifetime)]
    public required byte[] KeyHash { get; set; }

    [OperationalData, Purpose("license state"), Retention(Retention.LicenseLifetime)]
    public LicenseState State { get; set; }

    [OperationalData, Purpose("suspension by the vendor, which the reseller cannot lift"), Retention(Retention.LicenseLifetime)]
    public bool SuspendedByVendor { get; set; }

    [CorporateData, Purpose("reseller's own opaque customer reference (never personal data, checked on input)"), Retention(Retention.LicenseLifetime)]
    public string? ResellerReference { get; set; }

    [OperationalData, Purpose("record keeping"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset CreatedAt { get; set; }

    [OperationalData, Purpose("license term"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset ExpiresAt { get; set; }

    [OperationalData, Purpose("abuse control: installations released so far"), Retention(Retention.LicenseLifetime)]
    public int TransfersUsed { get; set; }

    /// <summary>The state as seen at <paramref name="now"/>: an active license past its expiry is expired.</summary>
    public LicenseState EffectiveState(DateTimeOffset now) => EffectiveStateOf(State, ExpiresAt, now);

    /// <summary>The state a license with this stored state and expiry is in at <paramref name="now"/>.</summary>
    public static LicenseState EffectiveStateOf(LicenseState state, DateTimeOffset expiresAt, DateTimeOffset now) =>
        state == LicenseState.Active && expiresAt <= now ? LicenseState.Expired : state;

    /// <summary>Suspends the license. A vendor suspension cannot be lifted by the reseller.</summary>
    public void Suspend(bool byVendor)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException("A revoked license cannot be suspended.");
        }
        State = LicenseState.Suspended;
        SuspendedByVendor |= byVendor;
    }

    /// <summary>Resumes a suspended license.</summary>
    public void Resume(bool byVendor)
    {
        if (State != LicenseState.Suspended)
        {
            throw new PreconditionFailedException($"Only a suspended license can be resumed; this one is {State.ToString().ToLowerInvariant()}.");
        }
        if (SuspendedByVendor && !byVendor)
        {
            throw new PreconditionFailedException("The license was suspended by the vendor; only the vendor can resume it.");
        }
        State = LicenseState.Active;
        SuspendedByVendor = false;
    }

    /// <summary>Revokes the license for good.</summary>
    public void Revoke()
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException("The license is already revoked.");
        }
        State = LicenseState.Revoked;
    }

    /// <summary>Extends the expiry by one term, counted from the later of now and the current expiry.</summary>
    public void Renew(int termDays, DateTimeOffset now)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException("A revoked license cannot be renewed.");
        }
        var from = ExpiresAt > now ? ExpiresAt : now;
        ExpiresAt = from.AddDays(termDays);
    }

    /// <summary>Uses one transfer of the budget, or refuses when it is spent.</summary>
    public void UseTransfer(int budget)
    {
        if (TransfersUsed >= budget)
        {
            throw new PreconditionFailedException($"The license has used its transfer budget ({budget}); ask the vendor for help.");
        }
        TransfersUsed++;
    }
}
