using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LicenseHub.Tokens;

/// <summary>
/// Hand-written reader and writer for the token header and claims: no reflection (Native AOT) and no
/// intermediate DOM on the verification path.
/// </summary>
internal static class ClaimsJson
{
    // The default encoder would turn the '+' of "lh-license+jwt" into \u002B; JOSE libraries accept
    // either, but the plain form is what people expect to see when they decode a token.
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonReaderOptions s_readerOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 8,
    };

    public static byte[] WriteHeader(string alg, string? kid, string? typ)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, alg);
            if (kid is not null)
            {
                writer.WriteString("kid"u8, kid);
            }

            if (typ is not null)
            {
                writer.WriteString("typ"u8, typ);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteClaims(IBufferWriter<byte> output, LicenseClaims claims)
    {
        using var writer = new Utf8JsonWriter(output, s_writerOptions);
        writer.WriteStartObject();
        writer.WriteString("iss"u8, claims.Issuer);
        writer.WriteString("lid"u8, claims.LicenseId);
        if (claims.InstallationId is not null)
        {
            writer.WriteString("iid"u8, claims.InstallationId);
        }

        writer.WriteString("prd"u8, claims.Product);
        writer.WriteString("pln"u8, claims.Plan);
        writer.WriteString("edn"u8, claims.Edition);
        writer.WriteString("fpr"u8, claims.Fingerprint);
        writer.WriteNumber("iat"u8, claims.IssuedAt.ToUnixTimeSeconds());
        writer.WriteNumber("nbf"u8, claims.NotBefore.ToUnixTimeSeconds());
        writer.WriteNumber("exp"u8, claims.ExpiresAt.ToUnixTimeSeconds());
        writer.WriteNumber("grc"u8, claims.OfflineGraceSeconds);
        if (claims.LicenseExpiresAt is { } lex)
        {
            writer.WriteNumber("lex"u8, lex.ToUnixTimeSeconds());
        }

        if (claims.Entitlements.Count > 0)
        {
            writer.WriteStartArray("ent"u8);
            foreach (var code in claims.Entitlements)
            {
                writer.WriteStringValue(code);
            }

            writer.WriteEndArray();
        }

        if (claims.MaintenanceUntil is { } mnt)
        {
            writer.WriteNumber("mnt"u8, mnt.ToUnixTimeSeconds());
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a JOSE header. Returns an error text, or null on success.</summary>
    public static string? TryReadHeader(ReadOnlySpan<byte> json, out JoseHeader header)
    {
        header = default;
        string? alg = null, kid = null, typ = null;
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(json, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "header is not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int bit;
                if (reader.ValueTextEquals("alg"u8))
                {
                    bit = 1;
                    reader.Read();
                    alg = ReadString(ref reader, "alg");
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    bit = 2;
                    reader.Read();
                    kid = ReadString(ref reader, "kid");
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    bit = 4;
                    reader.Read();
                    typ = ReadString(ref reader, "typ");
                }
                else if (reader.ValueTextEquals("crit"u8))
                {
                    // RFC 7515 §4.1.11: extensions listed in "crit" must be understood; we understand none.
                    return "header has critical extensions (crit), which are not supported";
                }
                else
                {
                    bit = 0;
                    reader.Read();
                    reader.Skip();
                }

                if ((seen & bit) != 0)
                {
                    return "header has a duplicate member";
                }

                seen |= bit;
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "header is not a single JSON object";
            }
        }
        catch (JsonException)
        {
            return "header is not valid JSON";
        }
        catch (FormatException e)
        {
            return "header " + e.Message;
        }
        catch (InvalidOperationException)
        {
            return "header contains invalid text";
        }

        header = new JoseHeader(alg, kid, typ);
        return null;
    }

    /// <summary>Reads the claims. Returns an error text, or null on success.</summary>
    public static string? TryReadClaims(ReadOnlySpan<byte> json, out LicenseClaims? claims)
    {
        claims = null;
        string? iss = null, lid = null, iid = null, prd = null, pln = null, edn = null, fpr = null;
        long iat = 0, nbf = 0, exp = 0, grc = 0, lex = 0, mnt = 0;
        List<string>? ent = null;
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(json, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "payload is not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var bit = ClaimBit(ref reader);
                reader.Read();
                switch (bit)
                {
                    case Iss: iss = ReadString(ref reader, "iss"); break;
                    case Lid: lid = ReadString(ref reader, "lid"); break;
                    case Iid: iid = ReadString(ref reader, "iid"); break;
                    case Prd: prd = ReadString(ref reader, "prd"); break;
                    case Pln: pln = ReadString(ref reader, "pln"); break;
                    case Edn: edn = ReadString(ref reader, "edn"); break;
                    case Fpr: fpr = ReadString(ref reader, "fpr"); break;
                    case Iat: iat = ReadSeconds(ref reader, "iat"); break;
                    case Nbf: nbf = ReadSeconds(ref reader, "nbf"); break;
                    case Exp: exp = ReadSeconds(ref reader, "exp"); break;
                    case Grc: grc = ReadSeconds(ref reader, "grc"); break;
                    case Lex: lex = ReadSeconds(ref reader, "lex"); break;
                    case Ent: ent = ReadStrings(ref reader, "ent"); break;
                    case Mnt: mnt = ReadSeconds(ref reader, "mnt"); break;
                    default: reader.Skip(); break;
                }

                if ((seen & bit) != 0)
                {
                    return "payload has a duplicate claim";
                }

                seen |= bit;
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "payload is not a single JSON object";
            }
        }
        catch (JsonException)
        {
            return "payload is not valid JSON";
        }
        catch (FormatException e)
        {
            return "payload " + e.Message;
        }
        catch (InvalidOperationException)
        {
            return "payload contains invalid text";
        }

        var missing = Required & ~seen;
        if (missing != 0)
        {
            return $"payload lacks the required claim '{ClaimName(missing & -missing)}'";
        }

        if (grc > int.MaxValue)
        {
            return "claim 'grc' is out of range";
        }

        claims = new LicenseClaims
        {
            Issuer = iss!,
            LicenseId = lid!,
            InstallationId = iid,
            Product = prd!,
            Plan = pln!,
            Edition = edn!,
            Fingerprint = fpr!,
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(iat),
            NotBefore = DateTimeOffset.FromUnixTimeSeconds(nbf),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(exp),
            OfflineGraceSeconds = (int)grc,
            LicenseExpiresAt = (seen & Lex) != 0 ? DateTimeOffset.FromUnixTimeSeconds(lex) : null,
            Entitlements = ent ?? [],
            MaintenanceUntil = (seen & Mnt) != 0 ? DateTimeOffset.FromUnixTimeSeconds(mnt) : null,
        };
        return null;
    }

    private const int Iss = 1, Lid = 2, Iid = 4, Prd = 8, Pln = 16, Edn = 32, Fpr = 64,
        Iat = 128, Nbf = 256, Exp = 512, Grc = 1024, Lex = 2048,
        Ent = 4096, Mnt = 8192;

    private const int Required = Iss | Lid | Prd | Pln | Edn | Fpr | Iat | Nbf | Exp | Grc;

    // Largest unix second DateTimeOffset can represent (9999-12-31).
    private const long MaxUnixSeconds = 253402300799;

    private static int ClaimBit(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("iss"u8)) { return Iss; }
        if (reader.ValueTextEquals("lid"u8)) { return Lid; }
        if (reader.ValueTextEquals("iid"u8)) { return Iid; }
        if (reader.ValueTextEquals("prd"u8)) { return Prd; }
        if (reader.ValueTextEquals("pln"u8)) { return Pln; }
        if (reader.ValueTextEquals("edn"u8)) { return Edn; }
        if (reader.ValueTextEquals("fpr"u8)) { return Fpr; }
        if (reader.ValueTextEquals("iat"u8)) { return Iat; }
        if (reader.ValueTextEquals("nbf"u8)) { return Nbf; }
        if (reader.ValueTextEquals("exp"u8)) { return Exp; }
        if (reader.ValueTextEquals("grc"u8)) { return Grc; }
        if (reader.ValueTextEquals("lex"u8)) { return Lex; }
        if (reader.ValueTextEquals("ent"u8)) { return Ent; }
        if (reader.ValueTextEquals("mnt"u8)) { return Mnt; }
        return 0;
    }

    private static string ClaimName(int bit) => bit switch
    {
        Iss => "iss",
        Lid => "lid",
        Iid => "iid",
        Prd => "prd",
        Pln => "pln",
        Edn => "edn",
        Fpr => "fpr",
        Iat => "iat",
        Nbf => "nbf",
        Exp => "exp",
        Grc => "grc",
        Lex => "lex",
        Ent => "ent",
        _ => "mnt",
    };

    private static string ReadString(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new FormatException($"member '{name}' is not a string");

    /// <summary>An array of at most 256 strings (the entitlement codes); anything else is refused, not skipped.</summary>
    private static List<string> ReadStrings(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"claim '{name}' is not an array of strings");
        }

        var values = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || values.Count == MaxEntitlements)
            {
                throw new FormatException($"claim '{name}' is not an array of at most {MaxEntitlements} strings");
            }

            values.Add(reader.GetString()!);
        }

        return values;
    }

    /// <summary>Most entitlements one token carries.</summary>
    public const int MaxEntitlements = 256;

    private static long ReadSeconds(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0 || value > MaxUnixSeconds)
        {
            throw new FormatException($"claim '{name}' is not a whole non-negative number in range");
        }

        return value;
    }
}

/// <summary>The JOSE header members LicenseHub looks at.</summary>
internal readonly record struct JoseHeader(string? Alg, string? Kid, string? Typ);
