using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Events;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Agents;

/// <param name="Ticket">The check-in ticket for the first check-in, with a VALID answer.</param>
public sealed record ActivationOutcome(ValidationCode Code, string Detail, Guid? InstallationId = null, string? Secret = null,
    string? Token = null, Guid? LicenseId = null, string? Ticket = null);

/// <param name="Ticket">The check-in ticket for the next check-in, with a VALID answer.</param>
/// <param name="Status">The refusal signed for the agent (<see cref="SignedStatus"/>), with any other answer to an agent that sent a nonce.</param>
public sealed record CheckInOutcome(ValidationCode Code, string Detail, string? Token = null, string? Ticket = null, string? Status = null);

/// <summary>A check-in refused with UNAUTHENTICATED, with the refusal signed for the agent that sent a nonce.</summary>
public sealed class SignedRefusalException(string message, string status, Exception inner) : Exception(message, inner)
{
    /// <summary>The compact JWS of the <see cref="SignedStatus"/>.</summary>
    public string Status { get; } = status;
}

/// <summary>
/// Activation, check-in and forgetting of installations, as called by lh-agent. Activation and check-in are
/// one pipeline: validate → load → decide (<see cref="LicenseValidation"/>) → record → sign → answer.
/// </summary>
public sealed class AgentLicensing(
    LicenseHubDbContext db,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    EventOutbox events,
    TokenIssuer tokens,
    ActivationThrottle throttle,
    LicenseHubTelemetry telemetry,
    TimeProvider clock,
    ILogger<AgentLicensing> logger)
{
    public async Task<ActivationOutcome> ActivateAsync(string source, string? licenseKey, string? product, AgentReport report, Validator v,
        CancellationToken ct)
    {
        var outcome = await ActivateCoreAsync(source, licenseKey, product, report, v, ct);
        telemetry.Activation(outcome.Code.ToString());
        return outcome;
    }

    private async Task<ActivationOutcome> ActivateCoreAsync(string source, string? licenseKey, string? product, AgentReport report, Validator v,
        CancellationToken ct)
    {
        // Validate.
        throttle.ThrowIfBlocked(source);
        if (!LicenseKey.TryNormalize(licenseKey, out var normalized))
        {
            v.Fail("license_key", "is not a valid license key; check it for typos (groups of five letters and digits)");
        }
        var productCode = string.IsNullOrWhiteSpace(product) ? null : v.Slug("product", product);
        if (v.Violations.Count > 0)
        {
            if (v.Violations.Any(x => x.Field == "license_key"))
            {
                throttle.RecordFailure(source);
            }
            v.ThrowIfInvalid();
        }

        var hash = LicenseKey.Hash(normalized);
        var licenseId = await db.Licenses.AsNoTracking().Where(l => l.KeyHash == hash).Select(l => (Guid?)l.Id).SingleOrDefaultAsync(ct);
        if (licenseId is not { } id)
        {
            throttle.RecordFailure(source);
            return new ActivationOutcome(ValidationCode.NotFound, LicenseValidation.Describe(ValidationCode.NotFound));
        }

        var secret = InstallationSecret.New();
        var ticket = CheckInTicket.New();
        var decision = await unitOfWork.RunAsync(async token =>
        {
            // Load and decide under the license lock, so a revoke, suspension or another machine's activation
            // cannot land between the decision and what is recorded from it. On SQLite the unit of work already
            // holds the database's write lock.
            await DatabaseLocks.LicenseAsync(db, id, token);
            var (facts, subject, restricted) = await LoadLicenseAsync(id, token);
            var installation = await db.Installations.SingleOrDefaultAsync(i => i.LicenseId == id && i.Fingerprint == report.Fingerprint, token);
            var machines = installation is null ? await Seats.TakenAsync(db, id, token) : 0;
            // A suspected copy cannot clear the suspicion by activating again: every copy has the same fingerprint.
            var code = LicenseValidation.Validate(facts, new LicenseRequest(report.Fingerprint, productCode, IsNewMachine: installation is null,
                Machines: machines, CloneSuspected: installation?.CloneSuspectedAt is not null));
            if (code != ValidationCode.Valid)
            {
                return (code, facts, subject, Installation: (Installation?)null);
            }

            // Record.
            var previousCheckIn = installation?.LastCheckInAt;
            if (installation is null)
            {
                installation = Installation.Activate(id, report, InstallationSecret.Hash(secret), CheckInTicket.Hash(ticket), facts.Now);
                db.Installations.Add(installation);
                await audit.AppendAsync("agent", "installation.activate", "installation", installation.Id.ToString(), $"license={id}", token);
                events.Installation(EventTypes.InstallationActivated, await ResellerOfAsync(id, token), id, installation.Id);
            }
            else
            {
                installation.Reactivate(InstallationSecret.Hash(secret), CheckInTicket.Hash(ticket));
                await audit.AppendAsync("agent", "installation.reactivate", "installation", installation.Id.ToString(), $"license={id}", token);
                events.Installation(EventTypes.InstallationActivated, await ResellerOfAsync(id, token), id, installation.Id, "activated again");
            }
            // Counted like every check-in; a VALID one leaves no raw row.
            var checkIn = installation.RecordCheckIn(report, subject.ProductCode, ValidationCode.Valid, facts.Now);
            if (!restricted)
            {
                var tally = new Privacy.DailyCheckInTally();
                tally.Add(checkIn, Privacy.DailyCheckInTally.FirstOfDay(previousCheckIn, facts.Now));
                await tally.WriteAsync(db, token);
            }
            return (code, facts, subject, Installation: (Installation?)installation);
        }, ct);

        // Sign and answer.
        if (decision.Installation is not { } activated)
        {
            return new ActivationOutcome(decision.code, LicenseValidation.Describe(decision.code, decision.facts), LicenseId: id);
        }
        var (jws, _) = await tokens.IssueAsync(decision.subject, activated.Id, report.Fingerprint, TokenTypes.License, ct);
        return new ActivationOutcome(ValidationCode.Valid, "Activated.", activated.Id, secret, jws, id, ticket);
    }

    private Task<Guid> ResellerOfAsync(Guid licenseId, CancellationToken ct) =>
        db.Licenses.Where(l => l.Id == licenseId).Select(l => l.ResellerId).SingleAsync(ct);

    /// <summary>The license's facts for a decision, and what its token would say, in one query.</summary>
    private async Task<(LicenseFacts Facts, TokenSubject Subject, bool Restricted)> LoadLicenseAsync(Guid licenseId, CancellationToken ct)
    {
        var row = await (from l in db.Licenses.AsNoTracking()
                         join p in db.Plans.AsNoTracking() on l.PlanId equals p.Id
                         join pr in db.Products.AsNoTracking() on p.ProductId equals pr.Id
                         join r in db.Resellers.AsNoTracking() on l.ResellerId equals r.Id
                         where l.Id == licenseId
                         select new { l.State, l.ExpiresAt, p.MaxMachines, Subject = new TokenSubject(l.Id, l.ExpiresAt, p.Code, p.Edition, p.OfflineGraceDays, pr.Code, l.Entitlements, l.MaintenanceUntil),
                             r.ProcessingRestricted })
            .SingleAsync(ct);
        return (new LicenseFacts(row.State, row.ExpiresAt, row.Subject.ProductCode, row.MaxMachines, clock.Now()), row.Subject, row.ProcessingRestricted);
    }

    /// <param name="ticket">The check-in ticket the agent presented (already of a ticket's shape); null when it sent none.</param>
    /// <param name="nonce">The status nonce the agent sent (of a ticket's shape); null when it sent none, and then no refusal is signed.</param>
    public async Task<CheckInOutcome> CheckInAsync(Guid installationId, string secret, string? ticket, string? nonce, AgentReport report,
        CancellationToken ct)
    {
        CheckInOutcome outcome;
        try
        {
            outcome = await CheckInCoreAsync(installationId, secret, ticket, nonce, report, ct);
        }
        catch (UnauthenticatedException e) when (nonce is not null)
        {
            // The agent gives up its credential only for a refusal it can verify, naming the credential refused: a
            // credential garbled on the way gets a status that the agent does not act on.
            var status = await tokens.IssueStatusAsync(installationId, null, "UNAUTHENTICATED", report.Fingerprint, nonce, ct, secret);
            throw new SignedRefusalException(e.Message, status, e);
        }
        telemetry.CheckIn(outcome.Code.ToString());
        if (outcome.Code != ValidationCode.Valid)
        {
            // The request line of an answered check-in is at Debug: an answer that is not VALID is worth a line of its own.
            // The answer only: which installation is in the audit trail or the raw check-in kept for it.
            logger.LogInformation("Check-in answered {Answer}", TokenIssuer.StatusName(outcome.Code));
        }
        return outcome;
    }

    private async Task<CheckInOutcome> CheckInCoreAsync(Guid installationId, string secret, string? ticket, string? nonce, AgentReport report,
        CancellationToken ct)
    {
        // Load: one query for what the answer needs; a check-in is the hot path, and each round trip through EF
        // costs about as much as the signature.
        var subject = await LoadCheckInSubject(db, installationId, ct);
        if (subject is null)
        {
            return await ReleasedAsync(installationId, nonce, report, ct);
        }
        var (installation, licenseState, maxMachines, token, restricted) = subject;
        if (!InstallationSecret.Matches(installation.SecretHash, secret))
        {
            throw new UnauthenticatedException("The installation credential is not valid; activate again.");
        }

        // Decide from what was read. Unlike activation this takes no lock: a check-in creates nothing, and its
        // token is the one it would have had a moment earlier, before a concurrent revoke; the next check-in
        // sees the revoke.
        var facts = new LicenseFacts(licenseState, token.LicenseExpiresAt, token.ProductCode, maxMachines, clock.Now());
        var code = LicenseValidation.Validate(facts, new LicenseRequest(report.Fingerprint, BoundFingerprint: installation.Fingerprint,
            CloneSuspected: installation.CloneSuspectedAt is not null));

        // Record, grouped with concurrent check-ins into one transaction. The ticket is decided as the row is
        // written, against what concurrent check-ins of the same installation wrote first: it may turn the
        // answer into CLONE_SUSPECTED.
        // The token before the write, so that a new one is kept with it (refresh at half-life: most check-ins sign nothing).
        var answerToken = code == ValidationCode.Valid ? await tokens.ForCheckInAsync(token, installation, ct) : null;
        var nextTicket = CheckInTicket.New();
        var pending = new PendingCheckIn(installation, token.ProductCode, report, facts.Now, code,
            ticket is null ? null : CheckInTicket.Hash(ticket), CheckInTicket.Hash(nextTicket), answerToken, Counted: !restricted);
        try
        {
            await CheckInCommits.For(db).CommitAsync(pending, db, unitOfWork, audit, events);
        }
        catch (InstallationGoneException)
        {
            return await ReleasedAsync(installationId, nonce, report, ct);
        }
        code = pending.Answer;

        // Sign and answer.
        if (code != ValidationCode.Valid)
        {
            return new CheckInOutcome(code, LicenseValidation.Describe(code, facts),
                Status: await SignRefusalAsync(installationId, token.LicenseId, code, nonce, report, ct));
        }
        var jws = answerToken?.Token ?? (await tokens.IssueAsync(token, installation.Id, installation.Fingerprint, TokenTypes.License, ct)).Token;
        return new CheckInOutcome(ValidationCode.Valid, "Valid.", jws, nextTicket);
    }

    private async Task<CheckInOutcome> ReleasedAsync(Guid installationId, string? nonce, AgentReport report, CancellationToken ct) =>
        new(ValidationCode.InstallationReleased, LicenseValidation.Describe(ValidationCode.InstallationReleased),
            Status: await SignRefusalAsync(installationId, null, ValidationCode.InstallationReleased, nonce, report, ct));

    /// <summary>
    /// The refusal signed for the agent, bound to this request (its fingerprint and nonce): lh-agent drops its token or
    /// stops only for a refusal it can verify. Null for an agent that sent no nonce, which verifies none.
    /// </summary>
    private async Task<string?> SignRefusalAsync(Guid installationId, Guid? licenseId, ValidationCode code, string? nonce, AgentReport report,
        CancellationToken ct) =>
        nonce is null ? null : await tokens.IssueStatusAsync(installationId, licenseId, TokenIssuer.StatusName(code), report.Fingerprint, nonce, ct);

    /// <summary>What a check-in reads: the installation, and of its license, plan and product only what the answer needs.</summary>
    private sealed record CheckInSubject(Installation Installation, LicenseState LicenseState, int MaxMachines, TokenSubject Token, bool Restricted);

    // Only the columns the answer needs: SQLite parses and plans every statement anew, and the whole rows
    // of four tables made that the larger part of the read.
    private static readonly Func<LicenseHubDbContext, Guid, CancellationToken, Task<CheckInSubject?>> LoadCheckInSubject =
        EF.CompileAsyncQuery((LicenseHubDbContext context, Guid id, CancellationToken _) =>
            (from i in context.Installations.AsNoTracking()
             join l in context.Licenses.AsNoTracking() on i.LicenseId equals l.Id
             join p in context.Plans.AsNoTracking() on l.PlanId equals p.Id
             join pr in context.Products.AsNoTracking() on p.ProductId equals pr.Id
             where i.Id == id
             join r in context.Resellers.AsNoTracking() on l.ResellerId equals r.Id
             select new CheckInSubject(i, l.State, p.MaxMachines, new TokenSubject(l.Id, l.ExpiresAt, p.Code, p.Edition, p.OfflineGraceDays, pr.Code, l.Entitlements, l.MaintenanceUntil),
                 r.ProcessingRestricted))
            .FirstOrDefault());

    /// <summary>
    /// "lh-agent forget": deletes the installation and its check-ins at once. The seat stays taken by an anonymous
    /// <see cref="ForgottenSeat"/> until the reseller releases it within the transfer budget, so forgetting on one
    /// machine and activating on another moves a license no further than a release would.
    /// </summary>
    public async Task<bool> DeactivateAsync(Guid installationId, string secret, CancellationToken ct)
    {
        var installation = await db.Installations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == installationId, ct);
        if (installation is null)
        {
            return false;
        }
        if (!InstallationSecret.Matches(installation.SecretHash, secret))
        {
            throw new UnauthenticatedException("The installation credential is not valid; activate again.");
        }
        return await unitOfWork.RunAsync(async token =>
        {
            // Under the license lock, as activation: a seat is never counted twice nor missed by a concurrent activation.
            await DatabaseLocks.LicenseAsync(db, installation.LicenseId, token);
            await db.CheckIns.Where(c => c.InstallationId == installationId).ExecuteDeleteAsync(token);
            if (await db.Installations.Where(i => i.Id == installationId).ExecuteDeleteAsync(token) == 0)
            {
                // Released or forgotten meanwhile: nothing left to forget, and no second seat to hold.
                return false;
            }
            var seat = ForgottenSeat.Of(installation.LicenseId, clock.Now());
            db.ForgottenSeats.Add(seat);
            events.Installation(EventTypes.InstallationReleased, await ResellerOfAsync(installation.LicenseId, token), installation.LicenseId, installationId,
                "forgotten on the machine (the seat stays taken until released)");
            await audit.AppendAsync("agent", "installation.forget", "installation", installationId.ToString(),
                $"license={installation.LicenseId};forgotten_seat={seat.Id}", token);
            return true;
        }, ct);
    }
}
