using System.Security.Cryptography;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Signing;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Signing;

/// <summary>
/// The vendor root keys and the certificates they give signing keys. The trust anchor (<c>licensehub trust
/// export</c>) is the public part of every root not retired: the active one, and during a rotation the next one.
/// A root rotation is two steps so that agents and products can take the new anchor before it is needed:
/// <see cref="BeginRotationAsync"/> adds the next root to the anchor; <see cref="FinishRotationAsync"/> makes it
/// certify every published signing key and drops the old root from the anchor.
/// </summary>
public sealed class RootOfTrust(
    LicenseHubDbContext db,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    KeyEncryptionKey kek,
    SigningKeyStore signingKeys,
    IOptions<LicenseHubOptions> options,
    ILogger<RootOfTrust> logger,
    TimeProvider clock)
{
    /// <summary>A certificate that ends within this time is renewed at start by a server that holds the root.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>The trust anchor: a JWKS of the roots agents and products must trust now.</summary>
    public async Task<JsonWebKeySet> ExportAnchorAsync(CancellationToken ct)
    {
        var roots = await db.RootKeys.AsNoTracking().Where(r => r.RetiredAt == null).ToListAsync(ct);
        return new JsonWebKeySet
        {
            Keys = roots.OrderBy(r => r.CreatedAt).Select(r => JsonWebKey.FromPublicKey(r.Kid, r.PublicKey)).ToList(),
        };
    }

    public async Task<IReadOnlyList<RootKey>> ListAsync(CancellationToken ct) =>
        await db.RootKeys.AsNoTracking().OrderBy(r => r.CreatedAt).ToListAsync(ct);

    /// <summary>
    /// In the caller's unit of work at start: creates the first root when there is none, and certifies every published
    /// signing key that has no certificate from the active root or whose certificate nears its end.
    /// </summary>
    public async Task EnsureCertifiedAsync(CancellationToken ct)
    {
        var active = await db.RootKeys.Where(r => r.ActivatedAt != null && r.RetiredAt == null).FirstOrDefaultAsync(ct);
        if (active is null && !await db.RootKeys.AnyAsync(ct))
        {
            active = NewRoot(activated: true);
            db.RootKeys.Add(active);
            await audit.AppendAsync("system:first-start", "rootkey.create", "rootkey", active.Kid, null, ct);
        }

        if (active is null)
        {
            throw new InvalidOperationException("No active root key: finish the root rotation with 'licensehub trust rotate-root --finish'.");
        }

        var now = clock.Now();
        foreach (var key in await PublishedKeysAsync(ct))
        {
            if (Current(key, active, now))
            {
                continue;
            }
            if (active.EncryptedPrivateKey is null)
            {
                if (key.RetiredAt is null)
                {
                    logger.LogError(
                        "The active signing key {Kid} has no current certificate from root {Root}, which is kept off this server: agents will refuse its tokens. " +
                        "Certify a new key offline and import it with 'licensehub trust import-signing-key'", key.Kid, active.Kid);
                }
                continue;
            }
            key.Certificate = Certify(key, active);
            await audit.AppendAsync("system:start", "signingkey.certify", "signingkey", key.Kid, $"root={active.Kid}", ct);
        }
    }

    /// <summary>Certifies a new signing key with the active root (in the caller's unit of work).</summary>
    /// <exception cref="PreconditionFailedException">The root is kept off this server.</exception>
    public async Task CertifyNewKeyAsync(SigningKey key, CancellationToken ct)
    {
        var active = await db.RootKeys.Where(r => r.ActivatedAt != null && r.RetiredAt == null).FirstOrDefaultAsync(ct)
            ?? throw new PreconditionFailedException("There is no active root key; finish the root rotation first.");
        if (active.EncryptedPrivateKey is null)
        {
            throw new PreconditionFailedException("The root key is kept off this server, so a new signing key needs a certificate made offline (see docs/threat-model.md, 'A root kept off the server').");
        }
        key.Certificate = Certify(key, active);
    }

    /// <summary>Adds the next root to the anchor; it certifies nothing until <see cref="FinishRotationAsync"/>.</summary>
    public async Task<RootKey> BeginRotationAsync(string actorId, CancellationToken ct) =>
        await unitOfWork.RunAsync(async token =>
        {
            if (await db.RootKeys.AnyAsync(r => r.ActivatedAt == null && r.RetiredAt == null, token))
            {
                throw new PreconditionFailedException("A root rotation is already under way: distribute the anchor, then finish it with 'licensehub trust rotate-root --finish'.");
            }
            var next = NewRoot(activated: false);
            db.RootKeys.Add(next);
            await audit.AppendAsync(actorId, "rootkey.rotation.begin", "rootkey", next.Kid, null, token);
            return next;
        }, ct);

    /// <summary>
    /// Announces a root the vendor keeps off the server as the next root (its public part, from the anchor that
    /// <c>licensehub trust offline-root init</c> printed): step 1 of a rotation to it.
    /// </summary>
    public async Task<RootKey> AdoptRootAsync(string actorId, JsonWebKeySet anchor, CancellationToken ct) =>
        await unitOfWork.RunAsync(async token =>
        {
            if (await db.RootKeys.AnyAsync(r => r.ActivatedAt == null && r.RetiredAt == null, token))
            {
                throw new PreconditionFailedException("A root rotation is already under way: finish it first.");
            }
            var known = await db.RootKeys.Select(r => r.Kid).ToListAsync(token);
            var parsed = TrustAnchor.Parse(anchor.ToJson());
            var fresh = anchor.Keys.Where(k => parsed.RootKeyIds.Contains(k.Kid) && !known.Contains(k.Kid)).ToList();
            if (fresh.Count != 1)
            {
                throw new PreconditionFailedException($"The anchor must hold exactly one root this server does not know yet; it holds {fresh.Count}.");
            }
            var next = new RootKey { Kid = fresh[0].Kid, PublicKey = fresh[0].GetPublicKey(), EncryptedPrivateKey = null, CreatedAt = clock.Now() };
            db.RootKeys.Add(next);
            await audit.AppendAsync(actorId, "rootkey.rotation.begin", "rootkey", next.Kid, "kept off the server", token);
            return next;
        }, ct);

    /// <summary>
    /// Makes the next root the active one; the old root leaves the anchor. A root held here re-certifies every published
    /// signing key. A root kept off the server cannot, so it needs <paramref name="signingKey"/>: a key it certified offline
    /// (<c>licensehub trust offline-root issue-signing-key</c>), which becomes the active signing key.
    /// </summary>
    public async Task<RootKey> FinishRotationAsync(string actorId, CancellationToken ct, OfflineKeyFile? signingKey = null)
    {
        var next = await unitOfWork.RunAsync(async token =>
        {
            var next = await db.RootKeys.Where(r => r.ActivatedAt == null && r.RetiredAt == null).FirstOrDefaultAsync(token)
                ?? throw new PreconditionFailedException("No root rotation is under way: begin one with 'licensehub trust rotate-root --begin'.");
            if (next.EncryptedPrivateKey is null && signingKey is null)
            {
                throw new PreconditionFailedException(
                    $"The next root {next.Kid} is kept off this server, so it cannot certify the signing keys here: pass --signing-key FILE, made with 'licensehub trust offline-root issue-signing-key'.");
            }
            if (next.EncryptedPrivateKey is not null && signingKey is not null)
            {
                throw new PreconditionFailedException($"The next root {next.Kid} is held by this server and certifies the signing keys itself; --signing-key is for a root kept off the server.");
            }
            var imported = signingKey is null ? null : ImportCertified(signingKey, next);
            var now = clock.Now();
            var old = await db.RootKeys.Where(r => r.ActivatedAt != null && r.RetiredAt == null).ToListAsync(token);
            foreach (var root in old)
            {
                root.RetiredAt = now;
            }
            next.ActivatedAt = now;
            if (imported is null)
            {
                foreach (var key in await PublishedKeysAsync(token))
                {
                    key.Certificate = Certify(key, next);
                }
            }
            else
            {
                await SigningKeyRotation.ReplaceActiveAsync(db, audit, options.Value, clock, actorId, imported, token);
            }
            await audit.AppendAsync(actorId, "rootkey.rotation.finish", "rootkey", next.Kid, $"retired={string.Join(',', old.Select(r => r.Kid))}", token);
            return next;
        }, ct);
        signingKeys.Invalidate();
        return next;
    }

    /// <summary>With the root kept off the server: a signing key it certified offline replaces the active one.</summary>
    public async Task<SigningKey> ImportSigningKeyAsync(string actorId, OfflineKeyFile signingKey, CancellationToken ct)
    {
        var imported = await unitOfWork.RunAsync(async token =>
        {
            var active = await db.RootKeys.Where(r => r.ActivatedAt != null && r.RetiredAt == null).FirstOrDefaultAsync(token)
                ?? throw new PreconditionFailedException("There is no active root key; finish the root rotation first.");
            var fresh = ImportCertified(signingKey, active);
            if (await db.SigningKeys.AnyAsync(k => k.Kid == fresh.Kid, token))
            {
                throw new PreconditionFailedException($"Signing key {fresh.Kid} is already on this server.");
            }
            return (await SigningKeyRotation.ReplaceActiveAsync(db, audit, options.Value, clock, actorId, fresh, token)).Active;
        }, ct);
        signingKeys.Invalidate();
        return imported;
    }

    /// <summary>The key of <paramref name="file"/> as a signing key, if its certificate is <paramref name="root"/>'s, for that key, current.</summary>
    private SigningKey ImportCertified(OfflineKeyFile file, RootKey root)
    {
        var jwk = file.PublicJwk();
        jwk.Lhc = file.Lhc;
        var certificate = TrustAnchor.Of([JsonWebKey.FromPublicKey(root.Kid, root.PublicKey)]).Certify(jwk, out var problem)
            ?? throw new PreconditionFailedException($"The signing key {file.Kid} is not certified by root {root.Kid}: {problem}.");
        if (!certificate.Covers(clock.Now()))
        {
            throw new PreconditionFailedException($"The certificate of signing key {file.Kid} covers {certificate.IssuedAt:u} to {certificate.ExpiresAt:u}, not now.");
        }
        var key = signingKeys.FromPair(file.Kid, file.Pair());
        key.Certificate = file.Lhc;
        return key;
    }

    private RootKey NewRoot(bool activated)
    {
        var pair = Ed25519KeyPair.Generate();
        var now = clock.Now();
        var kid = $"root-{now:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        return new RootKey
        {
            Kid = kid,
            PublicKey = pair.PublicKey,
            EncryptedPrivateKey = kek.Encrypt(pair.Seed, kid),
            CreatedAt = now,
            ActivatedAt = activated ? now : null,
        };
    }

    /// <summary>The signing keys the JWKS publishes (tracked, for updating their certificates).</summary>
    private async Task<List<SigningKey>> PublishedKeysAsync(CancellationToken ct)
    {
        var now = clock.Now();
        return await db.SigningKeys.Where(k => k.RetiredAt == null || k.LastTokenExpiresAt == null || k.LastTokenExpiresAt > now).ToListAsync(ct);
    }

    /// <summary>The key's certificate is from <paramref name="root"/> and does not end soon.</summary>
    private bool Current(SigningKey key, RootKey root, DateTimeOffset now)
    {
        if (key.Certificate is null)
        {
            return false;
        }
        var anchor = TrustAnchor.Of([JsonWebKey.FromPublicKey(root.Kid, root.PublicKey)]);
        var jwk = JsonWebKey.FromPublicKey(key.Kid, key.PublicKey);
        jwk.Lhc = key.Certificate;
        if (anchor.Certify(jwk, out _) is not { } certificate)
        {
            return false;
        }
        // A retired key issues no more tokens: its certificate only has to cover what it issued.
        if (key.RetiredAt is not null || certificate.ExpiresAt - now > RenewBefore)
        {
            return true;
        }
        logger.LogWarning("The certificate of signing key {Kid} ends at {End}", key.Kid, certificate.ExpiresAt);
        return false;
    }

    /// <summary>
    /// The certificate covers tokens the key issues from its creation for <see cref="LicenseHubOptions.KeyCertificateLifetime"/>
    /// from now: a renewal keeps the start, so tokens the key already issued stay covered.
    /// </summary>
    private string Certify(SigningKey key, RootKey root)
    {
        var seed = kek.Decrypt(root.EncryptedPrivateKey!, root.Kid);
        try
        {
            var jwk = JsonWebKey.FromPublicKey(key.Kid, key.PublicKey);
            var end = Max(clock.Now(), key.CreatedAt) + options.Value.KeyCertificateLifetime;
            return KeyCertificate.Issue(Ed25519KeyPair.FromSeed(seed), root.Kid, jwk, key.CreatedAt, end);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
