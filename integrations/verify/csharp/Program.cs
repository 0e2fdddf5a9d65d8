// Verifies the LicenseHub license file inside the product, with the vendor's trust anchor compiled in
// (docs/verify-in-your-product.md), through the LicenseHub.Tokens package. Exit 0 and one line on stdout for a
// genuine license, 1 and the reason on stderr for anything else, 2 for usage errors.
//
//   licensehub-verify --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
//                     [--feature sso]... [--released 2026-05-14]
using System.Globalization;
using LicenseHub.Tokens;

const string Usage = "usage: licensehub-verify --trust trust.json --license license.json --product CODE [--machine-id-file PATH] [--feature CODE]... [--released YYYY-MM-DD]";

var options = new Dictionary<string, string> { ["--machine-id-file"] = "/etc/machine-id" };
var features = new List<string>();
for (var i = 0; i < args.Length; i += 2)
{
    if (args[i] is not ("--trust" or "--license" or "--product" or "--machine-id-file" or "--feature" or "--released") || i + 1 >= args.Length)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
    if (args[i] == "--feature")
    {
        if (!IsFeatureCode(args[i + 1]))
        {
            Console.Error.WriteLine($"{Usage}\n--feature {args[i + 1]} is not a feature code (lower-case letters, digits and dashes)");
            return 2;
        }
        features.Add(args[i + 1]);
        continue;
    }
    options[args[i]] = args[i + 1];
}
if (!options.ContainsKey("--trust") || !options.ContainsKey("--license") || !options.ContainsKey("--product"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
DateOnly? released = null;
if (options.TryGetValue("--released", out var releasedText))
{
    if (!DateOnly.TryParseExact(releasedText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
    {
        Console.Error.WriteLine($"{Usage}\n--released {releasedText} is not a date YYYY-MM-DD");
        return 2;
    }
    released = day;
}

TrustAnchor anchor;
try
{
    anchor = TrustAnchor.Parse(File.ReadAllText(options["--trust"]));
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
{
    Console.Error.WriteLine($"{Usage}\ncannot read the trust anchor {options["--trust"]}: {e.Message}");
    return 2;
}

TokenVerificationResult result;
try
{
    var license = LicenseFile.Parse(File.ReadAllText(options["--license"]));
    var machineId = File.ReadAllText(options["--machine-id-file"]);
    result = anchor.Verify(license, DateTimeOffset.UtcNow, options["--product"], machineId);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
{
    // An unreadable license file (or machine id) means: not licensed.
    Console.Error.WriteLine($"not licensed: {e.Message}");
    return 1;
}

if (!result.IsValid)
{
    Console.Error.WriteLine($"not licensed: {result.Reason}");
    return 1;
}

// What this product needs of a valid license: every feature it requires, and, when the license is perpetual (it has mnt),
// a release date of this version (00:00 UTC) on or before the end of maintenance.
var claims = result.Claims!;
if (features.FirstOrDefault(code => !claims.HasFeature(code)) is { } missing)
{
    Console.Error.WriteLine($"not licensed: license has no feature {missing}");
    return 1;
}
if (released is { } releasedOn && !claims.CoversRelease(new DateTimeOffset(releasedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)))
{
    Console.Error.WriteLine($"not licensed: this version (released {releasedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}) is newer than maintenance (until {Day(claims.MaintenanceUntil!.Value)})");
    return 1;
}

// The success line; tests match its first part, up to the validity.
var until = result.InGrace
    ? $"in offline grace until {Iso(claims.ExpiresAt.AddSeconds(claims.OfflineGraceSeconds))}"
    : $"valid until {Iso(claims.ExpiresAt)}";
var maintenance = claims.MaintenanceUntil is { } mnt ? $", maintenance until {Day(mnt)}" : "";
var featureList = claims.Entitlements.Count > 0 ? $", features {string.Join(',', claims.Entitlements)}" : "";
Console.WriteLine($"licensed: product {claims.Product}, license {claims.LicenseId}, {until}{maintenance}{featureList}");
return 0;

static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

static bool IsFeatureCode(string code) =>
    code.Length is > 0 and <= 64 && code[0] != '-' && code.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');
