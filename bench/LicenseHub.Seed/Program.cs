using System.CommandLine;
using LicenseHub.Seed;

var dataDir = new Option<string>("--data-dir")
{
    Description = "Server data directory to fill (licensehub.db inside it). Must not hold a database yet; start the server on it afterwards.",
    Required = true,
    HelpName = "DIR",
};
var licenses = new Option<int>("--licenses", "-n") { Description = "Licenses to create.", DefaultValueFactory = _ => 1_000 };
var resellers = new Option<int?>("--resellers") { Description = "Resellers (each with one pool and one order). Default: licenses / 100, between 1 and 10,000." };
var installations = new Option<int?>("--installations") { Description = "Activated installations, one per license, spread evenly. Default: one per license." };
var checkIns = new Option<int>("--checkins-per-installation") { Description = "Past check-in rows per installation (history).", DefaultValueFactory = _ => 0 };
var sample = new Option<int>("--credentials-sample") { Description = "Installations (spread evenly) whose credentials are written for the load generator.", DefaultValueFactory = _ => 20_000 };
var credentialsOut = new Option<string?>("--credentials-out") { Description = "Where to write them (default: DIR/bench-credentials.csv).", HelpName = "FILE" };
var batch = new Option<int>("--batch") { Description = "Rows per transaction.", DefaultValueFactory = _ => 100_000 };

var root = new RootCommand(
    "Fills a LicenseHub SQLite database with resellers, pools, orders, licenses and installations quickly: the server's migrations "
    + "for the schema, then raw batched inserts in big transactions, rows shaped by the server's EF model. Benchmark data only: "
    + "the credentials file holds installation secrets.")
{
    dataDir, licenses, resellers, installations, checkIns, sample, credentialsOut, batch,
};
root.SetAction(parse =>
{
    var n = parse.GetValue(licenses);
    var r = parse.GetValue(resellers) ?? Math.Clamp(n / 100, 1, 10_000);
    var m = parse.GetValue(installations) ?? n;
    if (n < 1 || r < 1 || r > n || m < 0 || m > n || parse.GetValue(batch) < 1)
    {
        Console.Error.WriteLine("lh-seed: need 1 ≤ resellers ≤ licenses, 0 ≤ installations ≤ licenses and a positive batch.");
        return 2;
    }
    var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
    var plan = new SeedPlan(dir, n, r, m, Math.Max(0, parse.GetValue(checkIns)), Math.Max(0, parse.GetValue(sample)),
        parse.GetValue(credentialsOut) ?? Path.Combine(dir, "bench-credentials.csv"), parse.GetValue(batch));
    try
    {
        Seeder.Run(plan, Console.Out);
        return 0;
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine("lh-seed: " + ex.Message);
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
