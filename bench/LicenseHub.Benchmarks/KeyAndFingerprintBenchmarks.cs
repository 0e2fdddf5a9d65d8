using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using LicenseHub.Domain.Licensing;

namespace LicenseHub.Benchmarks;

/// <summary>
/// The per-license work of a bulk assignment (generate a key, normalise it, hash it) and the agent's
/// fingerprint (HMAC-SHA256 over the machine id keyed by the per-license salt, as in agent.proto).
/// </summary>
public class KeyAndFingerprintBenchmarks
{
    private const string MachineId = "4c4c4544004d3510804cb4c04f4e3032";
    private readonly string _key = LicenseKey.Generate();
    private string _normalized = "";
    private byte[] _salt = [];

    [GlobalSetup]
    public void Setup()
    {
        LicenseKey.TryNormalize(_key, out _normalized);
        _salt = SHA256.HashData(Encoding.UTF8.GetBytes("licensehub-fingerprint-v1:" + _normalized));
    }

    [Benchmark(Baseline = true, Description = "LicenseKey.Generate + normalise + Hash (one assigned license)")]
    public byte[] GenerateAndHash()
    {
        var key = LicenseKey.Generate();
        LicenseKey.TryNormalize(key, out var normalized);
        return LicenseKey.Hash(normalized);
    }

    [Benchmark(Description = "LicenseKey.Generate")]
    public string Generate() => LicenseKey.Generate();

    [Benchmark(Description = "LicenseKey.TryNormalize + Hash (activation lookup)")]
    public byte[] NormalizeAndHash()
    {
        LicenseKey.TryNormalize(_key, out var normalized);
        return LicenseKey.Hash(normalized);
    }

    [Benchmark(Description = "Fingerprint: HMAC-SHA256(salt, machine id) as hex")]
    public string Fingerprint()
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(MachineId), mac);
        return Convert.ToHexStringLower(mac);
    }

    [Benchmark(Description = "Fingerprint salt: SHA-256 of prefix + key")]
    public byte[] FingerprintSalt() => SHA256.HashData(Encoding.UTF8.GetBytes("licensehub-fingerprint-v1:" + _normalized));
}
