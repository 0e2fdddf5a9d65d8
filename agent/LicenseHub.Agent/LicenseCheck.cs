using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent;

/// <summary>The answer to "am I licensed?", computed offline from the state file.</summary>
internal sealed record LicenseCheckResult(bool Licensed, string Reason, TokenVerificationResult? Verification = null, bool ClockSetBack = false)
{
    public LicenseClaims? Claims => Verification?.Claims;

    public bool InGrace => Licensed && Verification?.InGrace == true;
}

/// <summary>
/// Offline verification: signature by a signing key that the vendor's trust anchor certified (the state's key set is
/// only a cache, re-verified here every time), token type, product, fingerprint recomputed from this machine's id and
/// the stored salt, validity period plus grace, and a clock that has not been set back.
/// </summary>
internal static class LicenseCheck
{
    /// <summary>How far the clock may fall behind the latest time seen (NTP steps, suspend/resume) before we call it set back.</summary>
    public static readonly TimeSpan ClockTolerance = TokenVerifier.ClockTolerance;

    /// <exception cref="MachineIdException">The machine id cannot be read.</exception>
    public static LicenseCheckResult Evaluate(AgentState? state, Trust.TrustAnchorSource trust, MachineIdSource machineId, DateTimeOffset now)
    {
        if (state is null)
        {
            return new(false, "not activated (run 'lh-agent activate KEY --server URL' or 'lh-agent import FILE')");
        }

        if (state.LastSeen is { } lastSeen && now < lastSeen - ClockTolerance)
        {
            return new(false, $"clock set back: the system time {Format(now)} is earlier than the latest time already seen, {Format(lastSeen)}", ClockSetBack: true);
        }

        if (state.Token is null)
        {
            return new(false, state.LastResult is { } code
                ? $"no valid license token; the server answered {code}{(state.LastDetail is { Length: > 0 } d ? ": " + d : "")}"
                : "no license token");
        }

        if (state.Jwks is not { Keys.Count: > 0 })
        {
            return new(false, "no trusted signing keys in the state; activate again or import with --jwks FILE");
        }

        if (trust.TryLoad(out var anchorProblem) is not { } anchor)
        {
            return new(false, anchorProblem!);
        }

        var salt = state.GetFingerprintSalt();
        if (salt is null)
        {
            return new(false, "the state has no fingerprint salt; activate again");
        }

        var verification = anchor.CreateVerifier(state.Jwks).Verify(
            state.Token,
            now,
            state.TokenType ?? TokenTypes.License,
            state.Product,
            machineId.Fingerprint(salt));

        if (verification.Status == TokenStatus.NotYetValid && verification.Claims is { } early)
        {
            // The server issued the token at iat by its clock: this machine's clock is behind by at least that much.
            return new(false, $"{verification.Reason}: this machine's clock is about {Commands.ActivateCommand.Describe(now - early.IssuedAt)} the license server's " +
                "(correct it, e.g. enable NTP: timedatectl set-ntp true)", verification);
        }

        return verification.IsValid
            ? new(true, verification.InGrace ? "licensed, in offline grace: " + verification.Reason : "licensed: " + verification.Reason, verification)
            : new(false, verification.Reason, verification);
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
