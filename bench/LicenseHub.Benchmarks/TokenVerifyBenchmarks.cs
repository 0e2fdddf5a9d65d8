using BenchmarkDotNet.Attributes;
using LicenseHub.Tokens;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace LicenseHub.Benchmarks;

/// <summary>
/// Agent path: TokenVerifier.Verify with the checks lh-agent asks for (type, product, fingerprint,
/// expiry), against a bare Ed25519 verification of the same bytes. Target (issue 7): verify/s ÷ raw
/// BouncyCastle Ed25519.Verify/s ≥ 0.9, i.e. a time ratio ≤ 1.11.
/// </summary>
public class TokenVerifyBenchmarks
{
    private readonly TokenFixture _fixture = new();
    private NSec.Cryptography.PublicKey _nsecKey = null!;
    private Ed25519PublicKeyParameters _bcKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nsecKey = NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, _fixture.PublicKey, KeyBlobFormat.RawPublicKey);
        _bcKey = new Ed25519PublicKeyParameters(_fixture.PublicKey);
        if (TokenVerifierVerify().Status != TokenStatus.Valid || !BouncyCastleStaticVerify() || !NSecVerify())
        {
            throw new InvalidOperationException("The fixture token does not verify.");
        }
    }

    [Benchmark(Baseline = true, Description = "BouncyCastle static Ed25519.Verify (raw)")]
    public bool BouncyCastleStaticVerify() =>
        BcEd25519.Verify(_fixture.Signature, 0, _fixture.PublicKey, 0, _fixture.SigningInput, 0, _fixture.SigningInput.Length);

    [Benchmark(Description = "TokenVerifier.Verify (agent path, whole token)")]
    public TokenVerificationResult TokenVerifierVerify() =>
        _fixture.Verifier.Verify(_fixture.Token, _fixture.Now, TokenTypes.License, TokenFixture.Product, TokenFixture.Fingerprint);

    [Benchmark(Description = "BouncyCastle key object Verify")]
    public bool BouncyCastleKeyObjectVerify() =>
        _bcKey.Verify(BcEd25519.Algorithm.Ed25519, null, _fixture.SigningInput, 0, _fixture.SigningInput.Length, _fixture.Signature, 0);

    [Benchmark(Description = "NSec (libsodium) Ed25519 verify")]
    public bool NSecVerify() => SignatureAlgorithm.Ed25519.Verify(_nsecKey, _fixture.SigningInput, _fixture.Signature);
}
