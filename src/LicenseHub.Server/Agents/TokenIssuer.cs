using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Signing;
using LicenseHub.Tokens;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Agents;

/// <summary>What a license token says about its license: no personal data and no license key.</summary>
/// <param name="Entitlements">The license's feature codes as <see cref="License.Entitlements"/> keeps them (sorted, comma-separated).</param>
/// <param name="MaintenanceUntil">End of maintenance of a perpetual license (whose expiry is <see cref="License.Never"/>).</param>
public sealed record TokenSubject(Guid LicenseId, DateTimeOffset LicenseExpiresAt, string PlanCode, string Edition, int OfflineGraceDays,
    string ProductCode, string Entitlements = "", DateTimeOffset? MaintenanceUntil = null)
{
    public static TokenSubject Of(License license, Plan plan, string productCode) =>
        new(license.Id, license.ExpiresAt, plan.Code, plan.Edition, plan.OfflineGraceDays, productCode, license.Entitlements, license.MaintenanceUntil);

    /// <summary>Whether the license never expires (its token carries no <c>lex</c>).</summary>
    public bool Perpetual => LicenseExpiresAt == License.Never;
}

/// <summary>The token a check-in answers with: the installation's kept one, or a new one to keep.</summary>
public sealed record CheckInToken(string Token, byte[] ClaimsHash, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Reused)
{
    /// <summary>Keeps a new token on the installation whose check-in answers VALID with it.</summary>
    public void KeepOn(Installation installation)
    {
        if (!Reused)
        {
            installation.KeepToken(Token, ClaimsHash, IssuedAt, ExpiresAt);
        }
    }
}

/// <summary>Issues the signed tokens agents verify offline. No personal data and no license key in any claim.</summary>
public sealed class TokenIssuer(SigningKeyStore keys, IOptions<LicenseHubOptions> options, TimeProvider clock,
    Operations.LicenseHubTelemetry telemetry)
{
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(TokenSubject subject, Guid? installationId, string fingerprint, string type,
        CancellationToken ct)
    {
        var signer = await keys.GetSignerAsync(ct);
        return Issue(signer, subject, installationId, fingerprint, type, clock.Now());
    }

    /// <summary>
    /// The token a VALID check-in answers with. Refresh at half-life: the installation's kept token while it is genuine
    /// (signed by the active key), says what a new one would say, and has more than half its lifetime left; otherwise a
    /// new one, kept on <paramref name="installation"/> for the write that records the check-in. Every replica answers
    /// alike from the database, and a revocation or plan change is seen at the next check-in as before: those answers
    /// are not VALID, or change the claims.
    /// </summary>
    public async Task<CheckInToken> ForCheckInAsync(TokenSubject subject, Installation installation, CancellationToken ct)
    {
        var signer = await keys.GetSignerAsync(ct);
        var now = clock.Now();
        var claimsHash = ClaimsHash(subject, installation.Id, installation.Fingerprint, signer.Kid);
        if (options.Value.RefreshTokensAtHalfLife && installation.CanReuseToken(claimsHash, now))
        {
            return new CheckInToken(installation.CurrentToken!, claimsHash, now, now, Reused: true);
        }
        var (token, expires) = Issue(signer, subject, installation.Id, installation.Fingerprint, TokenTypes.License, now);
        return new CheckInToken(token, claimsHash, now, expires, Reused: false);
    }

    private (string Token, DateTimeOffset ExpiresAt) Issue(TokenSigner signer, TokenSubject subject, Guid? installationId, string fingerprint,
        string type, DateTimeOffset now)
    {
        var expires = type == TokenTypes.OfflineLicense ? subject.LicenseExpiresAt : Min(now + options.Value.TokenLifetime, subject.LicenseExpiresAt);
        var claims = new LicenseClaims
        {
            Issuer = options.Value.Issuer,
            LicenseId = subject.LicenseId.ToString(),
            InstallationId = installationId?.ToString(),
            Product = subject.ProductCode,
            Plan = subject.PlanCode,
            Edition = subject.Edition,
            Fingerprint = fingerprint,
            IssuedAt = now,
            NotBefore = now,
            ExpiresAt = expires,
            OfflineGraceSeconds = subject.OfflineGraceDays * 86_400,
            LicenseExpiresAt = subject.Perpetual ? null : subject.LicenseExpiresAt,
            Entitlements = subject.Entitlements.Length == 0 ? [] : subject.Entitlements.Split(','),
            MaintenanceUntil = subject.MaintenanceUntil,
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var token = signer.Sign(claims, type);
        telemetry.Signed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return (token, expires);
    }

    /// <summary>SHA-256 of everything a check-in token says but its times, and of the key that signs it.</summary>
    private byte[] ClaimsHash(TokenSubject subject, Guid installationId, string fingerprint, string kid) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', options.Value.Issuer, kid, subject.LicenseId, installationId, subject.ProductCode,
            subject.PlanCode, subject.Edition, fingerprint, subject.OfflineGraceDays.ToString(CultureInfo.InvariantCulture),
            subject.LicenseExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), subject.Entitlements,
            subject.MaintenanceUntil?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "")));

    /// <summary>
    /// Signs a refusal of <paramref name="installationId"/> (<see cref="SignedStatus"/>) with the key that signs tokens, for
    /// the request that carried <paramref name="fingerprint"/> and <paramref name="nonce"/>: the agent drops its token or
    /// stops only for a refusal it can verify.
    /// </summary>
    /// <param name="code">The refusal as the answer names it: <see cref="StatusName"/> of a validation code, or a gRPC status name.</param>
    /// <param name="presentedCredential">For UNAUTHENTICATED: the credential the request presented, whose hash the status names.</param>
    public async Task<string> IssueStatusAsync(Guid installationId, Guid? licenseId, string code, string fingerprint, string nonce,
        CancellationToken ct, string? presentedCredential = null)
    {
        var signer = await keys.GetSignerAsync(ct);
        var now = clock.Now();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var status = new SignedStatus
        {
            Issuer = options.Value.Issuer,
            InstallationId = installationId.ToString(),
            LicenseId = licenseId?.ToString(),
            Code = code,
            Fingerprint = fingerprint,
            Nonce = nonce,
            Credential = presentedCredential is null ? null : SignedStatus.CredentialOf(presentedCredential),
            IssuedAt = now,
            ExpiresAt = now + SignedStatus.Lifetime,
        }.Sign(signer);
        telemetry.Signed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return status;
    }

    /// <summary>"INSTALLATION_RELEASED" for <see cref="ValidationCode.InstallationReleased"/>: the contract's name without its prefix.</summary>
    public static string StatusName(ValidationCode code)
    {
        var name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
