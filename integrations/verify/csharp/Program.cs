// Verifies the LicenseHub license file inside the product, with the vendor's trust anchor compiled in
// (docs/verify-in-your-product.md), through the LicenseHub.Tokens package. Exit 0 and one line on stdout for a
// genuine license, 1 and the reason on stderr for anything else, 2 for usage errors.
//
//   licensehub-verify --trust trust.json --license /var/lib/lh-agent/license.json --product panel [--machine-id-file /etc/machine-id]
using System.Globalization;
using LicenseHub.Tokens;

const string Usage = "usage: licensehub-verify --trust trust.json --license license.json --product CODE [--machine-id-file PATH]";

var options = new Dictionary<string, string> { ["--machine-id-file"] = "/etc/machine-id" };
for (var i = 0; i < args.Length; i += 2)
{
    if (args[i] is not ("--trust" or "--license" or "--product" or "--machine-id-file") || i + 1 >= args.Length)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
    options[args[i]] = args[i + 1];
}
if (!options.ContainsKey("--trust") || !options.ContainsKey("--license") || !options.ContainsKey("--product"))
{
    Console.Error.WriteLine(Usage);
    return 2;
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

var claims = result.Claims!;
var until = result.InGrace
    ? $"in offline grace until {Iso(claims.ExpiresAt.AddSeconds(claims.OfflineGraceSeconds))}"
    : $"valid until {Iso(claims.ExpiresAt)}";
Console.WriteLine($"licensed: product {claims.Product}, license {claims.LicenseId}, {until}");
return 0;

static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
