using System.Security.Cryptography;
using Grpc.Core;
using LicenseHub.Agent.State;
using LicenseHub.Tokens;

namespace LicenseHub.Agent;

/// <summary>
/// Whether a refusal from the server may change this machine's state. A misconfigured server or anyone on the
/// network can answer REVOKED or UNAUTHENTICATED to every agent at once; only the vendor's certified signing keys can
/// sign a status (<see cref="SignedStatus"/>), and one bound to this installation, this machine's fingerprint and this
/// request's nonce cannot be carried over from another machine or an earlier answer. Anything else is treated like
/// being offline: the token is kept, and it stays valid until it expires plus its grace.
/// </summary>
internal static class SignedRefusal
{
    /// <summary>What the log says when a refusal is set aside.</summary>
    public const string TreatedAsOffline = "treating as offline";

    /// <summary>A fresh nonce for one check-in: 32 random bytes in base64url, nothing about this machine.</summary>
    public static string NewNonce() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The name a signed status gives a refusal that came as a gRPC error.</summary>
    public static string CodeOf(StatusCode code) => code switch
    {
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.NotFound => "NOT_FOUND",
        _ => code.ToString().ToUpperInvariant(),
    };

    /// <summary>Verifies <paramref name="status"/> against the trust anchor's certified keys of <paramref name="jwks"/>.</summary>
    /// <param name="code">The refusal as the answer states it (e.g. REVOKED).</param>
    /// <param name="fingerprint">The fingerprint the request carried.</param>
    /// <param name="nonce">The nonce the request carried.</param>
    public static StatusVerificationResult Verify(string? status, string code, AgentState state, string fingerprint, string nonce,
        TrustAnchor anchor, JsonWebKeySet? jwks, DateTimeOffset now) =>
        anchor.CreateVerifier(jwks).VerifyStatus(status, now,
            new ExpectedStatus(code, state.InstallationId ?? "", state.LicenseId, fingerprint, nonce, state.InstallationSecret));

    /// <summary>The line the daemon logs when it sets a refusal aside.</summary>
    public static string SetAside(string refusal, StatusVerificationResult verification, string offline) =>
        verification.Reason == "it carries no signed status"
            ? $"the server refused ({refusal}) without a signed status; {TreatedAsOffline} (keeping the token): {offline}"
            : $"the server refused ({refusal}), but its signed status does not verify: {verification.Reason}; {TreatedAsOffline} (keeping the token): {offline}";
}
