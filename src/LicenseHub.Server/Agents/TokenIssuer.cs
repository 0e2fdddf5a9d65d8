using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Signing;
using LicenseHub.Tokens;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Agents;

/// <summary>What a license token says about its license: no personal data and no license key.</summary>
public sealed record TokenSubject(Guid LicenseId, DateTimeOffset LicenseExpiresAt, string PlanCode, string Edition, int OfflineGraceDays,
    string ProductCode)
{
    public static TokenSubject Of(License license, Plan plan, string productCode) =>
        new(license.Id, license.ExpiresAt, plan.Code, plan.Edition, plan.OfflineGraceDays, productCode);
}

/// <summary>Issues the signed tokens agents verify offline. No personal data and no license key in any claim.</summary>
public sealed class TokenIssuer(SigningKeyStore keys, IOptions<LicenseHubOptions> options, TimeProvider clock,
    Operations.LicenseHubTelemetry telemetry)
{
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(TokenSubject subject, Guid? installationId, string fingerprint, string type,
        CancellationToken ct)
    {
        var signer = await keys.GetSignerAsync(ct);
        var now = clock.Now();
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
            LicenseExpiresAt = subject.LicenseExpiresAt,
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var token = signer.Sign(claims, type);
        telemetry.Signed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return (token, expires);
    }

    /// <summary>
    /// Signs a refusal of <paramref name="installationId"/> (<see cref="SignedStatus"/>) with the key that signs tokens, for
    /// the request that carried <paramref name="fingerprint"/> and <paramref name="nonce"/>: the agent drops its token or
    /// stops only for a refusal it can verify.
    /// </summary>
    /// <param name="code">The refusal as the answer names it: <see cref="StatusName"/> of a validation code, or a gRPC status name.</param>
    public async Task<string> IssueStatusAsync(Guid installationId, Guid? licenseId, string code, string fingerprint, string nonce,
        CancellationToken ct)
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
