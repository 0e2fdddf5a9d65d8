using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Licensing;
using LicenseHub.Server.Infrastructure;
using LicenseHub.Server.Signing;
using LicenseHub.Tokens;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Agents;

/// <summary>Issues the signed tokens agents verify offline. No personal data and no license key in any claim.</summary>
public sealed class TokenIssuer(SigningKeyStore keys, IOptions<LicenseHubOptions> options, TimeProvider clock,
    Operations.LicenseHubTelemetry telemetry)
{
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(License license, Plan plan, string productCode, Guid? installationId,
        string fingerprint, string type, CancellationToken ct)
    {
        var signer = await keys.GetSignerAsync(ct);
        var now = clock.Now();
        var expires = type == TokenTypes.OfflineLicense ? license.ExpiresAt : Min(now + options.Value.TokenLifetime, license.ExpiresAt);
        var claims = new LicenseClaims
        {
            Issuer = options.Value.Issuer,
            LicenseId = license.Id.ToString(),
            InstallationId = installationId?.ToString(),
            Product = productCode,
            Plan = plan.Code,
            Edition = plan.Edition,
            Fingerprint = fingerprint,
            IssuedAt = now,
            NotBefore = now,
            ExpiresAt = expires,
            OfflineGraceSeconds = plan.OfflineGraceDays * 86_400,
            LicenseExpiresAt = license.ExpiresAt,
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var token = signer.Sign(claims, type);
        telemetry.Signed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return (token, expires);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
