using System.Security.Cryptography;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Security;

/// <summary>Turns a presented API key into a <see cref="Caller"/>, or refuses it.</summary>
public sealed class ApiKeyAuthenticator(LicenseHubDbContext db, TimeProvider clock, ILogger<ApiKeyAuthenticator> logger)
{
    public async Task<Caller> AuthenticateAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            throw new UnauthenticatedException("An API key is required: send it as 'authorization: Bearer <key>'.");
        }
        if (!ApiKeySecret.TryParse(presentedKey, out var prefix))
        {
            throw new UnauthenticatedException("The API key is not valid.");
        }
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Prefix == prefix, cancellationToken);
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.SecretHash, ApiKeySecret.Hash(presentedKey)))
        {
            throw new UnauthenticatedException("The API key is not valid.");
        }
        if (key.RevokedAt is not null)
        {
            throw new UnauthenticatedException("The API key has been revoked.");
        }
        if (key.ResellerId is { } resellerId)
        {
            var status = await db.Resellers.Where(r => r.Id == resellerId).Select(r => r.Status).SingleAsync(cancellationToken);
            if (status != ResellerStatus.Active)
            {
                throw new PermissionDeniedException("The reseller account is suspended; contact the vendor.");
            }
        }
        await RecordUseAsync(key, cancellationToken);
        return new Caller(key.Id, key.Role, key.ResellerId);
    }

    /// <summary>
    /// "Last used" for the key's owner: written only when the stored time is older than
    /// <see cref="ApiKey.LastUsedPrecision"/>, and conditionally, so concurrent requests on any replica write it once.
    /// Best effort: a failed write never fails the request it describes.
    /// </summary>
    private async Task RecordUseAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var stale = now - ApiKey.LastUsedPrecision;
        if (key.LastUsedAt is { } last && last > stale)
        {
            return;
        }
        try
        {
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt <= stale))
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A storage outage (full disk, read-only file, PostgreSQL away) is reported once by StorageHealth; a line per
            // request of every key in use would bury it.
            logger.Log(StorageHealth.CauseOf(e) is null ? LogLevel.Warning : LogLevel.Debug,
                "Could not record the last use of API key {ApiKeyId}: {Error}", key.Id, e.GetType().Name);
        }
    }
}
