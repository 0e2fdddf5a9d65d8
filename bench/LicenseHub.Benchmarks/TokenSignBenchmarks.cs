using BenchmarkDotNet.Attributes;
using LicenseHub.Tokens;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace LicenseHub.Benchmarks;

/// <summary>
/// Server path: a whole token (claims JSON, base64url, Ed25519) against bare signatures over the same
/// bytes. Target (issue 7): TokenSigner.Sign/s ÷ NSec sign/s ≥ 0.45, i.e. a time ratio ≤ 2.22.
/// </summary>
public class TokenSignBenchmarks
{
    private readonly TokenFixture _fixture = new();
    private readonly byte[] _signature = new byte[64];
    private Key _nsecKey = null!;
    private Ed25519PrivateKeyParameters _bcKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nsecKey = Key.Import(SignatureAlgorithm.Ed25519, _fixture.Seed, KeyBlobFormat.RawPrivateKey);
        _bcKey = new Ed25519PrivateKeyParameters(_fixture.Seed);
        _bcKey.GeneratePublicKey();
    }

    [GlobalCleanup]
    public void Cleanup() => _nsecKey.Dispose();

    [Benchmark(Baseline = true, Description = "NSec (libsodium) Ed25519 sign")]
    public byte[] NSecSign()
    {
        SignatureAlgorithm.Ed25519.Sign(_nsecKey, _fixture.SigningInput, _signature);
        return _signature;
    }

    [Benchmark(Description = "TokenSigner.Sign (server path, whole token)")]
    public string TokenSignerSign() => _fixture.Signer.Sign(_fixture.Claims);

    [Benchmark(Description = "BouncyCastle key object Sign")]
    public byte[] BouncyCastleKeyObjectSign()
    {
        _bcKey.Sign(BcEd25519.Algorithm.Ed25519, null, _fixture.SigningInput, 0, _fixture.SigningInput.Length, _signature, 0);
        return _signature;
    }

    [Benchmark(Description = "BouncyCastle static seed-only Ed25519.Sign")]
    public byte[] BouncyCastleStaticSign()
    {
        BcEd25519.Sign(_fixture.Seed, 0, _fixture.SigningInput, 0, _fixture.SigningInput.Length, _signature, 0);
        return _signature;
    }
}
