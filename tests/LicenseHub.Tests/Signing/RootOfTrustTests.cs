using Grpc.Core;
using LicenseHub.Server.Signing;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.Tokens;
using LicenseHub.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseHub.Tests.Signing;

/// <summary>The server's root of trust: every published key certified, rotations of key and root, a root kept off the server.</summary>
public sealed class RootOfTrustTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<JsonWebKeySet> PublishedAsync()
    {
        using var http = _factory.CreateClient();
        return JsonWebKeySet.Parse(await http.GetStringAsync("/.well-known/jwks.json"));
    }

    private async Task<T> WithTrustAsync<T>(Func<RootOfTrust, Task<T>> action)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<RootOfTrust>());
    }

    [Fact]
    public async Task FirstStart_CreatesOneRoot_ThatCertifiesThePublishedKey()
    {
        _ = _factory.Channel;
        var anchor = await _factory.TrustAnchorAsync();
        var published = await PublishedAsync();

        var key = Assert.Single(published.Keys);
        Assert.Single(anchor.RootKeyIds);
        var certificate = anchor.Certify(key, out var problem);
        Assert.True(certificate is not null, problem);
        Assert.Equal(key.Kid, certificate!.KeyId);
        Assert.Equal(key.ComputeThumbprint(), certificate.Thumbprint);
        Assert.InRange(certificate.ExpiresAt - certificate.IssuedAt, TimeSpan.FromDays(729), TimeSpan.FromDays(731));
        // The root is stored encrypted, like the signing keys.
        var root = _factory.WithDb(db => db.RootKeys.Single());
        Assert.Equal(32 + 12 + 16, root.EncryptedPrivateKey!.Length);
        Assert.Contains(_factory.WithDb(db => db.AuditEvents.Select(e => e.Action).ToList()), a => a == "rootkey.create");
    }

    [Fact]
    public async Task RotateSigningKey_CertifiesTheNewKeyWithTheSameRoot()
    {
        _ = _factory.Channel;
        await _factory.Vendor().RotateSigningKeyAsync(new RotateSigningKeyRequest());

        var anchor = await _factory.TrustAnchorAsync();
        var published = await PublishedAsync();

        Assert.Equal(2, published.Keys.Count);
        Assert.All(published.Keys, k => Assert.NotNull(anchor.Certify(k, out _)));
    }

    [Fact]
    public async Task RootRotation_AnnouncesTheNextRootFirst_ThenRecertifiesEveryPublishedKey()
    {
        _ = _factory.Channel;
        var oldAnchor = await _factory.TrustAnchorAsync();
        var next = await WithTrustAsync(t => t.BeginRotationAsync("test", CancellationToken.None));

        var during = await _factory.TrustAnchorAsync();
        Assert.Equal(2, during.RootKeyIds.Count);
        // Until the rotation finishes, the old root still certifies: agents with the old anchor keep working.
        Assert.All((await PublishedAsync()).Keys, k => Assert.NotNull(oldAnchor.Certify(k, out _)));
        await Assert.ThrowsAsync<LicenseHub.Domain.PreconditionFailedException>(() => WithTrustAsync(t => t.BeginRotationAsync("test", CancellationToken.None)));

        await WithTrustAsync(t => t.FinishRotationAsync("test", CancellationToken.None));

        var after = await _factory.TrustAnchorAsync();
        Assert.Equal([next.Kid], after.RootKeyIds);
        var keys = (await PublishedAsync()).Keys;
        Assert.All(keys, k => Assert.Equal(next.Kid, after.Certify(k, out _)?.RootKeyId));
        Assert.All(keys, k => Assert.Null(oldAnchor.Certify(k, out _)));
        Assert.All(keys, k => Assert.NotNull(during.Certify(k, out _)));
        var actions = _factory.WithDb(db => db.AuditEvents.Select(e => e.Action).ToList());
        Assert.Contains("rootkey.rotation.begin", actions);
        Assert.Contains("rootkey.rotation.finish", actions);
    }

    [Fact]
    public async Task RotateSigningKey_WithTheRootKeptOffTheServer_IsRefusedAndChangesNothing()
    {
        _ = _factory.Channel;
        _factory.ExecuteSql("""UPDATE "RootKeys" SET "EncryptedPrivateKey" = NULL""");
        var before = (await PublishedAsync()).ToJson();

        var error = await RpcAssert.Fails(StatusCode.FailedPrecondition, () => _factory.Vendor().RotateSigningKeyAsync(new RotateSigningKeyRequest()));

        Assert.Contains("kept off this server", error.Status.Detail);
        Assert.Equal(1, _factory.WithDb(db => db.SigningKeys.Count()));
        Assert.Equal(before, (await PublishedAsync()).ToJson());
    }

    [Fact]
    public async Task ADatabaseOfBefore_WithoutCertificates_IsCertifiedAtStart()
    {
        _ = _factory.Channel;
        _factory.ExecuteSql("""UPDATE "SigningKeys" SET "Certificate" = NULL""");

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SigningKeyRotation>().EnsureActiveKeyAsync(CancellationToken.None);
        }

        var anchor = await _factory.TrustAnchorAsync();
        Assert.All(_factory.WithDb(db => db.SigningKeys.AsNoTracking().ToList()),
            k => Assert.NotNull(anchor.Certify(SigningKeyStore.Published(k), out _)));
    }
}
