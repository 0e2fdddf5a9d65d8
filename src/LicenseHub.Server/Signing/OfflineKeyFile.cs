using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using LicenseHub.Server.Operations;
using LicenseHub.Tokens;

namespace LicenseHub.Server.Signing;

/// <summary>
/// A private Ed25519 key as a JWK (RFC 8037: <c>kty</c> OKP, <c>d</c> the seed), for a root the vendor keeps off the
/// server: the root file itself, and the signing keys it certifies offline (then with their certificate in <c>lhc</c>).
/// Written 0600; it is a secret.
/// </summary>
public sealed class OfflineKeyFile
{
    [JsonPropertyName("kty")] public string Kty { get; set; } = "OKP";
    [JsonPropertyName("crv")] public string Crv { get; set; } = "Ed25519";
    [JsonPropertyName("kid")] public string Kid { get; set; } = "";
    [JsonPropertyName("x")] public string X { get; set; } = "";
    [JsonPropertyName("d")] public string D { get; set; } = "";
    [JsonPropertyName("lhc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Lhc { get; set; }

    public static OfflineKeyFile Of(string kid, Ed25519KeyPair pair, string? certificate = null) => new()
    {
        Kid = kid,
        X = Base64Url.Encode(pair.PublicKey),
        D = Base64Url.Encode(pair.Seed),
        Lhc = certificate,
    };

    /// <exception cref="PreconditionFailedException">Not a private Ed25519 JWK whose d and x agree.</exception>
    public static OfflineKeyFile Read(string path)
    {
        OfflineKeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize<OfflineKeyFile>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new Domain.PreconditionFailedException($"Cannot read the key file {path}: {e.Message}");
        }
        if (file is null || file.Kty != "OKP" || file.Crv != "Ed25519" || string.IsNullOrWhiteSpace(file.Kid) || file.TryPair() is not { } pair
            || Base64Url.Encode(pair.PublicKey) != file.X)
        {
            throw new Domain.PreconditionFailedException($"{path} is not a private Ed25519 key file (a JWK with kty OKP, crv Ed25519, kid, x and d).");
        }
        return file;
    }

    public Ed25519KeyPair Pair() => TryPair() ?? throw new InvalidOperationException("Not an Ed25519 seed.");

    public JsonWebKey PublicJwk() => JsonWebKey.FromPublicKey(Kid, Pair().PublicKey);

    public Task WriteAsync(string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            throw new Domain.PreconditionFailedException($"{path} already exists.");
        }
        return OwnerOnlyFile.WriteAsync(path, JsonSerializer.Serialize(this) + "\n", ct);
    }

    private Ed25519KeyPair? TryPair()
    {
        try
        {
            var seed = Base64Url.Decode(D);
            try
            {
                return seed.Length == Ed25519KeyPair.SeedLength ? Ed25519KeyPair.FromSeed(seed) : null;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
