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

    [OperationalData, Purpose("a downgrade the reseller scheduled, applied at the next renewal"), Retention(Retention.LicenseLifetime)]
    public Guid? PendingPlanId { get; set; }

    [OperationalData, Purpose("given back to its pool within the return window (the license is revoked)"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset? ReturnedAt { get; set; }

    [OperationalData, Purpose("the expiry a license.expiring event was sent for (a renewal moves the expiry, so the next one is sent again)"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset? ExpiringNoticeFor { get; set; }

    [OperationalData, Purpose("the expiry a license.expired event was sent for"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset? ExpiredNoticeFor { get; set; }

    [OperationalData, Purpose("end of maintenance of a perpetual license (versions released after it may not run)"), Retention(Retention.LicenseLifetime)]
    public DateTimeOffset? MaintenanceUntil { get; set; }

    [TechnicalData, Purpose("the feature codes the license grants (its plan's and its add-ons'), as tokens carry them"), Retention(Retention.LicenseLifetime)]
    public string Entitlements { get; set; } = "";

    /// <summary>The expiry of a perpetual license: it never comes (tokens carry no <c>lex</c> for it).</summary>
    public static readonly DateTimeOffset Never = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether the license never expires.</summary>
    public bool IsPerpetual => ExpiresAt == Never;

    /// <summary>Most terms one renewal buys, and how far ahead of today a license can be paid.</summary>
    public const int MaxTermsAhead = 10;

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

    /// <summary>
    /// The expiry after <paramref name="terms"/> more terms of <paramref name="termDays"/>, counted from the later of
    /// now and the current expiry. Refused for a revoked license, and when it would be paid more than
    /// <see cref="MaxTermsAhead"/> terms ahead of <paramref name="now"/>: so no expiry can run away (or overflow).
    /// </summary>
    public DateTimeOffset RenewedExpiry(int termDays, int terms, DateTimeOffset now)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked and cannot be renewed.");
        }
        if (terms < 1 || terms > MaxTermsAhead)
        {
            throw new ArgumentOutOfRangeException(nameof(terms), terms, $"A renewal buys 1 to {MaxTermsAhead} terms.");
        }
        var from = ExpiresAt > now ? ExpiresAt : now;
        var limit = now.AddDays((double)termDays * MaxTermsAhead);
        // Compared in days before adding, so even a bad stored expiry cannot overflow the date.
        if ((from - now).TotalDays + (double)termDays * terms > (double)termDays * MaxTermsAhead)
        {
            throw new PreconditionFailedException(
                $"License {Id} is paid until {ExpiresAt.UtcDateTime:yyyy-MM-dd}; {terms} more term(s) of {termDays} days would take it past "
                + $"{limit.UtcDateTime:yyyy-MM-dd}, more than {MaxTermsAhead} terms ahead of today. Renew it later or for fewer terms.");
        }
        return from.AddDays((double)termDays * terms);
    }

    /// <summary>
    /// Extends the expiry by <paramref name="terms"/> terms (see <see cref="RenewedExpiry"/>); for a perpetual license, its
    /// maintenance instead (counted alike from the later of now and the end of maintenance).
    /// </summary>
    public void Renew(int termDays, int terms, DateTimeOffset now)
    {
        if (!IsPerpetual)
        {
            ExpiresAt = RenewedExpiry(termDays, terms, now);
            return;
        }
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked and cannot be renewed.");
        }
        var from = MaintenanceUntil is { } until && until > now ? until : now;
        if ((from - now).TotalDays + (double)termDays * terms > (double)termDays * MaxTermsAhead)
        {
            throw new PreconditionFailedException(
                $"License {Id} has maintenance until {from.UtcDateTime:yyyy-MM-dd}; {terms} more term(s) of {termDays} days would take it more than "
                + $"{MaxTermsAhead} terms ahead of today. Renew it later or for fewer terms.");
        }
        MaintenanceUntil = from.AddDays((double)termDays * terms);
    }

    /// <summary>The codes <see cref="Entitlements"/> holds, sorted.</summary>
    public IReadOnlyList<string> FeatureCodes => Entitlements.Length == 0 ? [] : Entitlements.Split(',');

    /// <summary>Stores the feature codes the license grants, sorted and distinct, as tokens carry them.</summary>
    public void Grant(IEnumerable<string> codes) => Entitlements = JoinCodes(codes);

    /// <summary>Codes sorted (ordinal), distinct, comma-separated.</summary>
    public static string JoinCodes(IEnumerable<string> codes) => string.Join(',', codes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>Moves the license to another plan now (an upgrade, paid for); a scheduled downgrade is dropped.</summary>
    public void ChangePlan(Guid planId)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; its plan cannot change.");
        }
        PlanId = planId;
        PendingPlanId = null;
    }

    /// <summary>
    /// Converts a trial to the paid plan <paramref name="planId"/> now: a new first term from today (the trial's days are
    /// not added), or for a perpetual plan no expiry and a first maintenance term. Expired trials convert too: that is
    /// when most are bought.
    /// </summary>
    public void ConvertTrial(Guid planId, bool perpetual, int termDays, DateTimeOffset now)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; its plan cannot change.");
        }
        PlanId = planId;
        PendingPlanId = null;
        ExpiresAt = perpetual ? Never : now.AddDays(termDays);
        MaintenanceUntil = perpetual ? now.AddDays(termDays) : null;
    }

    /// <summary>
    /// The paid time a license has left at <paramref name="now"/>: until its expiry, or for a perpetual license until the
    /// end of its maintenance (what an add-on bought now is charged for). Zero when none is left.
    /// </summary>
    public TimeSpan PaidTimeLeft(DateTimeOffset now)
    {
        var end = IsPerpetual ? MaintenanceUntil ?? now : ExpiresAt;
        return end > now ? end - now : TimeSpan.Zero;
    }

    /// <summary>
    /// Schedules a move to <paramref name="planId"/> at the next renewal (a downgrade, free); the license's own plan
    /// cancels what was scheduled.
    /// </summary>
    public void ScheduleChange(Guid planId)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; its plan cannot change.");
        }
        PendingPlanId = planId == PlanId ? null : planId;
    }

    /// <summary>
    /// Gives a license back to its pool: only one never activated, within the window after its assignment, still on
    /// the plan it was bought with. It is revoked for good (its key stops working); the seat is the pool's again.
    /// </summary>
    public void Return(DateTimeOffset now, int windowDays, bool everActivated, bool planChanged)
    {
        if (ReturnedAt is not null)
        {
            throw new PreconditionFailedException($"License {Id} was already returned.");
        }
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; a revoked license cannot be returned.");
        }
        if (everActivated)
        {
            throw new PreconditionFailedException(
                $"License {Id} has been activated, so it cannot be returned; revoking it is the only way out, and it refunds nothing.");
        }
        var until = ReturnableUntil(windowDays);
        if (now >= until)
        {
            throw new PreconditionFailedException(
                $"License {Id} could be returned until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({windowDays} days after its assignment); "
                + "revoking it is the only way out now, and it refunds nothing.");
        }
        if (planChanged)
        {
            throw new PreconditionFailedException($"License {Id} changed plan since it was assigned; only a license on the plan of its pool can be returned.");
        }
        State = LicenseState.Revoked;
        ReturnedAt = now;
        PendingPlanId = null;
    }

    /// <summary>The end of the return window of a plan with <paramref name="windowDays"/>.</summary>
    public DateTimeOffset ReturnableUntil(int windowDays) => CreatedAt.AddDays(windowDays);

    /// <summary>Replaces the key (a lost one): the old key stops activating; installations keep their own credentials.</summary>
    public void ReplaceKey(string keyPrefix, byte[] keyHash)
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; it gets no new key.");
        }
        KeyPrefix = keyPrefix;
        KeyHash = keyHash;
    }

    /// <summary>Uses one transfer of the budget, or refuses when it is spent.</summary>
    public void UseTransfer(int budget, bool restoredOnRenewal)
    {
        if (TransfersUsed >= budget)
        {
            throw new PreconditionFailedException($"The license has used its transfer budget ({TransfersUsed} of {budget}); "
                + (restoredOnRenewal ? "its next renewal restores it, or " : "") + "ask the vendor for help.");
        }
        TransfersUsed++;
    }

    /// <summary>Gives the whole transfer budget back: at a paid renewal (when its plan says so) or by the vendor's decision.</summary>
    public void RestoreTransfers()
    {
        if (State == LicenseState.Revoked)
        {
            throw new PreconditionFailedException($"License {Id} is revoked; its transfer budget cannot be restored.");
        }
        TransfersUsed = 0;
    }
}
