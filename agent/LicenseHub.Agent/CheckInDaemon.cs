using Grpc.Core;
using LicenseHub.Agent.Commands;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;
using LicenseHub.V1;

namespace LicenseHub.Agent;

/// <summary>
/// <c>lh-agent run</c>: checks in on an interval (with jitter so a fleet does not call in lockstep),
/// backs off exponentially up to a cap while the server is unreachable, refreshes the trusted keys when
/// online, and keeps the latest-seen time moving so a clock rollback shows. With <c>--once</c> it checks
/// in a single time and exits with that check-in's result.
/// </summary>
internal sealed class CheckInDaemon(AgentContext ctx, TimeSpan? fixedInterval, bool once = false)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);
    private static readonly TimeSpan TimeSeenTick = TimeSpan.FromMinutes(5);

    // Longer than one check-in can take (a 10 s connect, a 30 s call): another lh-agent's check-in ends by then.
    private static readonly TimeSpan CheckInLockWait = TimeSpan.FromSeconds(45);

    private enum Outcome
    {
        CheckedIn,
        Retry,
        Stop,
    }

    /// <summary>What one check-in came to; <paramref name="ExitCode"/> is what <c>run --once</c> exits with.</summary>
    private readonly record struct CycleResult(Outcome Outcome, int ExitCode, TimeSpan? Next = null, TimeSpan? RetryAfter = null);

    public async Task<int> RunAsync(CancellationToken stopping)
    {
        var state = ctx.Store.Load();
        if (state is null || !state.IsOnlineActivation)
        {
            return ctx.Fail(ExitCodes.NotLicensed, state is null
                ? "not activated: run 'lh-agent activate KEY --server URL' first"
                : "this installation uses an offline license: there is no server to check in with");
        }

        // Before anything else, so that a daemon told to use plain http:// off this machine, or without the vendor's
        // anchor, never starts.
        AgentClient.ServerOf(state);
        ctx.Trust.Load();

        if (once)
        {
            try
            {
                return (await CheckInOnceAsync(stopping)).ExitCode;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return ctx.Fail(ExitCodes.ServerUnreachable, "interrupted before the server answered");
            }
        }

        ctx.Log($"started: checking in with {state.Server} as installation {state.InstallationId}");
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            CycleResult result;
            try
            {
                result = await CheckInOnceAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }

            TimeSpan delay;
            switch (result.Outcome)
            {
                case Outcome.Stop:
                    return result.ExitCode;
                case Outcome.CheckedIn:
                    failures = 0;
                    delay = Jitter(fixedInterval ?? result.Next ?? DefaultInterval, 0.1);
                    break;
                default:
                    failures++;
                    delay = Backoff(failures);
                    if (result.RetryAfter is { } asked && asked > delay)
                    {
                        // The server said when it will take the next attempt; earlier ones would be turned away too.
                        delay = asked;
                    }

                    ctx.Log($"next attempt in {delay.TotalSeconds:F0} s");
                    break;
            }

            if (!await SleepAsync(delay, stopping))
            {
                break;
            }
        }

        ctx.Log("stopped");
        return ExitCodes.Ok;
    }

    /// <summary>min(cap, first × 2^(n−1)), then a random point in its upper half.</summary>
    public static TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 20);
        var ceiling = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstRetry.Ticks << exponent));
        return ceiling * (0.5 + Random.Shared.NextDouble() * 0.5);
    }

    public static TimeSpan Jitter(TimeSpan interval, double fraction) =>
        interval * (1 - fraction + Random.Shared.NextDouble() * 2 * fraction);

    private async Task<CycleResult> CheckInOnceAsync(CancellationToken cancellationToken)
    {
        // One check-in per state at a time, from sending it to saving its answer's ticket: the daemon and a
        // 'run --once' must not both present one ticket and keep different answers.
        using var checkInLock = ctx.Store.TryAcquireCheckInLock(CheckInLockWait);
        if (checkInLock is null)
        {
            ctx.Log($"another lh-agent is checking in with the state file {ctx.Store.Path} right now; not checking in at the same time");
            return new(Outcome.Retry, ExitCodes.StateProblem);
        }

        // Re-read every cycle: 'telemetry set' and a new activation take effect without a restart.
        var state = ctx.Store.Load();
        if (state is null || !state.IsOnlineActivation)
        {
            ctx.Log("the state no longer holds an online activation (forgotten?); stopping");
            return new(Outcome.Stop, ExitCodes.NotLicensed);
        }

        var salt = state.GetFingerprintSalt() ?? throw new AgentStateException("the state has no fingerprint salt; activate again");
        var fingerprint = ctx.MachineId.Fingerprint(salt);
        using var client = AgentClient.ForState(state);

        // Fresh for every check-in: a refusal's signed status must answer this request, not an earlier one.
        var nonce = SignedRefusal.NewNonce();
        CheckInResponse response;
        try
        {
            response = await client.CheckInAsync(AgentRequests.CheckIn(state, fingerprint, SystemFacts.Current(), nonce), cancellationToken);
        }
        catch (LicenseServerException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.NotFound)
        {
            var refusal = SignedRefusal.CodeOf(e.StatusCode);
            var signed = await VerifyRefusalAsync(client, e.SignedStatus, refusal, state, fingerprint, nonce, cancellationToken);
            if (!signed.IsValid)
            {
                ctx.Log(SignedRefusal.SetAside($"{refusal}: {e.Problem}", signed, OfflineReason(state)));
                return new(Outcome.Retry, ExitCodes.ServerUnreachable);
            }

            Record(state, s =>
            {
                s.Token = null;
                s.LastResult = e.StatusCode.ToString().ToUpperInvariant();
                s.LastDetail = e.Detail;
            }, serverTime: null);
            ctx.Log($"check-in refused (signed by the license server): {e.Message}. Stopping");
            return new(Outcome.Stop, ExitCodes.NotLicensed);
        }
        catch (LicenseServerException e) when (!cancellationToken.IsCancellationRequested)
        {
            ctx.Log($"check-in failed: {e.Message}; offline: {OfflineReason(state)}");
            return new(Outcome.Retry, e.ExitCode, RetryAfter: e.RetryAfter);
        }

        var serverTime = response.ServerTime?.ToDateTimeOffset();
        var next = response.NextCheckInSeconds > 0
            ? TimeSpan.FromSeconds(Math.Clamp(response.NextCheckInSeconds, MinInterval.TotalSeconds, MaxInterval.TotalSeconds))
            : (TimeSpan?)null;

        if (response.Code != ValidationCode.Valid)
        {
            var code = AgentContext.CodeName(response.Code);
            var signed = await VerifyRefusalAsync(client, response.Status, code, state, fingerprint, nonce, cancellationToken);
            if (!signed.IsValid)
            {
                // Anyone between here and the server could have said it; the token stays until it expires plus its grace.
                ctx.Log(SignedRefusal.SetAside(code, signed, OfflineReason(state)));
                return new(Outcome.Retry, ExitCodes.ServerUnreachable);
            }

            // The server's signed answer outranks the cached token: drop it so 'check' says "not licensed" now.
            Record(state, s =>
            {
                s.Token = null;
                s.LastResult = code;
                s.LastDetail = response.Detail;
            }, serverTime);
            ctx.Log(response.Code == ValidationCode.CloneSuspected
                ? $"not licensed: the license server at {ServerErrors.Display(client.Server)} noticed this installation running on more than one " +
                  "machine (a copied disk or a cloned virtual machine?) and stopped licensing it on all of them. Ask your reseller to release " +
                  "it or to re-activate it; then activate the genuine machine again with 'lh-agent activate'"
                : $"not licensed: the server answered {code}{(response.Detail.Length > 0 ? ": " + response.Detail : "")}");
            return response.Code is ValidationCode.NotFound or ValidationCode.InstallationReleased
                ? new(Outcome.Stop, ExitCodes.NotLicensed)
                : new(Outcome.CheckedIn, ExitCodes.NotLicensed, next);
        }

        var anchor = ctx.Trust.Load();
        var jwks = state.Jwks;
        try
        {
            // Certified keys only; a root rotation's new certificates arrive this way.
            jwks = anchor.CertifiedKeys(await client.GetJwksAsync(cancellationToken));
        }
        catch (Exception e) when (e is LicenseServerException or FormatException && !cancellationToken.IsCancellationRequested)
        {
            ctx.Log($"warning: could not refresh the signing keys ({(e is LicenseServerException failure ? failure.Problem : e.Message)}); using the cached ones");
        }

        var verification = anchor.CreateVerifier(jwks).Verify(response.Token, ctx.Now, TokenTypes.License, state.Product, fingerprint);
        if (!verification.IsValid)
        {
            ctx.Log($"the token from the server does not verify ({verification.Reason}); keeping the previous one");
            return new(Outcome.Retry, ExitCodes.ServerUnreachable);
        }

        Record(state, s =>
        {
            s.Token = response.Token;
            s.TokenType = TokenTypes.License;
            // The ticket for the next check-in; a server that issues none leaves the agent without.
            s.CheckInTicket = response.CheckInTicket.Length > 0 ? response.CheckInTicket : null;
            s.Jwks = jwks;
            s.LastResult = AgentContext.CodeName(response.Code);
            s.LastDetail = null;
        }, serverTime);
        ctx.Log($"checked in: licensed until {LicenseCheck.Format(verification.Claims!.ExpiresAt)}");
        return new(Outcome.CheckedIn, ExitCodes.Ok, next);
    }

    /// <summary>
    /// Verifies a refusal's signed status with the cached certified keys; when that fails, once more with the keys the
    /// server publishes now (a status may be signed by a key newer than the cache), again only those the anchor certifies.
    /// </summary>
    private async Task<StatusVerificationResult> VerifyRefusalAsync(AgentClient client, string? status, string code, AgentState state,
        string fingerprint, string nonce, CancellationToken cancellationToken)
    {
        var anchor = ctx.Trust.Load();
        var verification = SignedRefusal.Verify(status, code, state, fingerprint, nonce, anchor, state.Jwks, ctx.Now);
        if (verification.IsValid || string.IsNullOrEmpty(status))
        {
            return verification;
        }

        try
        {
            var fresh = anchor.CertifiedKeys(await client.GetJwksAsync(cancellationToken));
            var again = SignedRefusal.Verify(status, code, state, fingerprint, nonce, anchor, fresh, ctx.Now);
            return again.IsValid ? again : verification;
        }
        catch (Exception e) when (e is LicenseServerException or FormatException && !cancellationToken.IsCancellationRequested)
        {
            return verification;
        }
    }

    private string OfflineReason(AgentState state) => LicenseCheck.Evaluate(state, ctx.Trust, ctx.MachineId, ctx.Now).Reason;

    /// <summary>Applies a change under the writer lock, unless the state now belongs to another installation.</summary>
    private void Record(AgentState seen, Action<AgentState> change, DateTimeOffset? serverTime)
    {
        ctx.Store.Update(current =>
        {
            if (current is null || current.InstallationId != seen.InstallationId)
            {
                return null;
            }

            change(current);
            current.LastCheckIn = ctx.Now;
            ctx.ObserveTime(current, serverTime);
            return current;
        });
    }

    /// <summary>Waits, touching the latest-seen time every few minutes. False when asked to stop.</summary>
    private async Task<bool> SleepAsync(TimeSpan delay, CancellationToken stopping)
    {
        // Monotonic: a wall clock stepped back or forward must not stretch or cut the wait.
        var started = ctx.Clock.GetTimestamp();
        while (true)
        {
            var remaining = delay - ctx.Clock.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return true;
            }

            try
            {
                await Task.Delay(remaining < TimeSeenTick ? remaining : TimeSeenTick, ctx.Clock, stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                ctx.Store.Update(current =>
                {
                    if (current is null)
                    {
                        return null;
                    }

                    current.ObserveTime(ctx.Now);
                    return current;
                });
            }
            catch (AgentStateException e)
            {
                ctx.Log("warning: " + e.Message);
            }
        }
    }
}
