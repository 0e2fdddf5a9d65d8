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

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
