using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Signing;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Signing;

/// <summary>
/// The active signing key and the published JWKS, cached in memory and re-read from the database every
/// <see cref="LicenseHubOptions.SigningKeyRefresh"/>, so a rotation made through one replica reaches the
/// others within that bound.
/// </summary>
public sealed class SigningKeyStore(
    IServiceScopeFactory scopes,
    KeyEncryptionKey kek,
    IOptions<LicenseHubOptions> options,
    TimeProvider clock)
{
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(TokenSigner Signer, string JwksJson, DateTimeOffset LoadedAt);

    public async Task<TokenSigner> GetSignerAsync(CancellationToken ct) => (await GetSnapshotAsync(ct)).Signer;

    public async Task<string> GetJwksJsonAsync(CancellationToken ct) => (await GetSnapshotAsync(ct)).JwksJson;

    /// <summary>Drops the cache, so the next call reads the database (after a rotation through this replica).</summary>
    public void Invalidate() => _snapshot = null;

    private async Task<Snapshot> GetSnapshotAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && clock.GetUtcNow() - snapshot.LoadedAt < options.Value.SigningKeyRefresh)
        {
            return snapshot;
        }
        await _refreshLock.WaitAsync(ct);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && clock.GetUtcNow() - snapshot.LoadedAt < options.Value.SigningKeyRefresh)
            {
                return snapshot;
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
            var now = clock.Now();
            var keys = await db.SigningKeys.AsNoTracking()
                .Where(k => k.RetiredAt == null || k.LastTokenExpiresAt == null || k.LastTokenExpiresAt > now)
                .ToListAsync(ct);
            var active = keys.Where(k => k.RetiredAt == null).OrderByDescending(k => k.CreatedAt).FirstOrDefault()
                ?? throw new InvalidOperationException("No active signing key; the server creates one at start.");
            var seed = kek.Decrypt(active.EncryptedPrivateKey, active.Kid);
            var signer = new TokenSigner(active.Kid, Ed25519KeyPair.FromSeed(seed));
            var jwks = new JsonWebKeySet { Keys = keys.OrderByDescending(k => k.CreatedAt).Select(Published).ToList() };
            _snapshot = snapshot = new Snapshot(signer, jwks.ToJson(), clock.GetUtcNow());
            return snapshot;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>A key as the JWKS publishes it: the public key with its certificate from the root (member <c>lhc</c>).</summary>
    public static JsonWebKey Published(SigningKey key)
    {
        var jwk = JsonWebKey.FromPublicKey(key.Kid, key.PublicKey);
        jwk.Lhc = key.Certificate;
        return jwk;
    }

    /// <summary>Creates a key (encrypted under the KEK) in the caller's unit of work; certify it before it signs.</summary>
    public SigningKey NewKey()
    {
        var now = clock.Now();
        return FromPair($"lh-{now:yyyyMMdd}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}", Ed25519KeyPair.Generate());
    }

    /// <summary>A key made elsewhere (offline, certified by a root kept off the server), encrypted under the KEK from now on.</summary>
    public SigningKey FromPair(string kid, Ed25519KeyPair pair)
    {
        var now = clock.Now();
        return new SigningKey
        {
            Kid = kid,
            PublicKey = pair.PublicKey,
            EncryptedPrivateKey = kek.Encrypt(pair.Seed, kid),
            CreatedAt = now,
        };
    }
}

/// <summary>Rotation of the signing key by the vendor, audited.</summary>
public sealed class SigningKeyRotation(
    LicenseHubDbContext db,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    SigningKeyStore store,
    RootOfTrust root,
    IOptions<LicenseHubOptions> options,
    TimeProvider clock)
{
    public async Task<(SigningKey Active, SigningKey? Retired)> RotateAsync(Caller caller, CancellationToken ct)
    {
        var result = await unitOfWork.RunAsync(async token =>
        {
            var fresh = store.NewKey();
            // Before anything is written: a server whose root is kept offline refuses to rotate without a certificate.
            await root.CertifyNewKeyAsync(fresh, token);
            return await ReplaceActiveAsync(db, audit, options.Value, clock, caller.ActorId, fresh, token);
        }, ct);
        store.Invalidate();
        return result;
    }

    /// <summary>
    /// In the caller's unit of work: retires the active keys (published until the last token they signed can have
    /// expired, grace included) and adds <paramref name="fresh"/>, already certified, as the active key.
    /// </summary>
    internal static async Task<(SigningKey Active, SigningKey? Retired)> ReplaceActiveAsync(LicenseHubDbContext db, AuditTrail audit,
        LicenseHubOptions options, TimeProvider clock, string actorId, SigningKey fresh, CancellationToken token)
    {
        var now = clock.Now();
        var current = await db.SigningKeys.Where(k => k.RetiredAt == null).ToListAsync(token);
        var maxGraceDays = await db.Plans.Select(p => (int?)p.OfflineGraceDays).MaxAsync(token) ?? 0;
        foreach (var key in current)
        {
            key.RetiredAt = now;
            // Every check-in token it signed expires by now + token lifetime; agents honour the
            // offline grace after that. Offline files already pushed LastTokenExpiresAt further.
            var horizon = now + options.TokenLifetime + TimeSpan.FromDays(maxGraceDays);
            if (key.LastTokenExpiresAt is null || key.LastTokenExpiresAt < horizon)
            {
                key.LastTokenExpiresAt = horizon;
            }
        }
        db.SigningKeys.Add(fresh);
        await audit.AppendAsync(actorId, "signingkey.rotate", "signingkey", fresh.Kid,
            $"retired={string.Join(',', current.Select(k => k.Kid))}", token);
        return (fresh, current.OrderByDescending(k => k.CreatedAt).FirstOrDefault());
    }

    public async Task<IReadOnlyList<SigningKey>> ListAsync(Caller caller, CancellationToken ct) =>
        await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(ct);

    /// <summary>Creates the first key and the first root when there are none (first start), and certifies the keys.</summary>
    public async Task EnsureActiveKeyAsync(CancellationToken ct)
    {
        await unitOfWork.RunAsync(async token =>
        {
            // Replicas starting together on an empty database: one creates the key, the others then see it.
            await DatabaseLocks.FirstStartAsync(db, token);
            if (!await db.SigningKeys.AnyAsync(k => k.RetiredAt == null, token))
            {
                var key = store.NewKey();
                db.SigningKeys.Add(key);
                await audit.AppendAsync("system:first-start", "signingkey.create", "signingkey", key.Kid, null, token);
                await db.SaveChangesAsync(token);
            }
            // The first root, and certificates for keys that have none from the active root (a database of before).
            await root.EnsureCertifiedAsync(token);
            return 0;
        }, ct);
    }
}
