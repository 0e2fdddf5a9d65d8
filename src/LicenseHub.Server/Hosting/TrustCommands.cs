using System.CommandLine;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Server.Signing;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// <c>licensehub trust …</c>: the vendor's root of trust, run by the server binary with the server's own configuration
/// (database, key-encryption key) instead of starting the server. Prints to standard output only what was asked for,
/// so <c>licensehub trust export &gt; trust.json</c> gives the anchor file; messages go to standard error.
/// </summary>
public static class TrustCommands
{
    public static Command Create()
    {
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the anchor to this file instead of standard output." };
        var export = new Command("export",
            "Print the trust anchor: a JWKS (RFC 7517) of the vendor root public keys (two during a root rotation). Ship it to every machine as " +
            "/etc/lh-agent/trust.json and compile it into your product; lh-agent trusts only signing keys these roots certified.")
        {
            output,
        };
        export.SetAction(async (parse, ct) => await RunWithServicesAsync(async (services, token) =>
        {
            var anchor = await services.GetRequiredService<RootOfTrust>().ExportAnchorAsync(token);
            var json = anchor.ToJson() + "\n";
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, json, token);
                await Console.Error.WriteLineAsync($"Wrote the trust anchor ({string.Join(", ", anchor.Keys.Select(k => k.Kid))}) to {file.FullName}.");
            }
            else
            {
                Console.Out.Write(json);
            }
        }, ct));

        var list = new Command("list", "List the root keys and the signing keys with the root that certified each.");
        list.SetAction(async (_, ct) => await RunWithServicesAsync(async (services, token) =>
        {
            var roots = await services.GetRequiredService<RootOfTrust>().ListAsync(token);
            foreach (var root in roots)
            {
                var state = root.RetiredAt is not null ? $"retired {root.RetiredAt:u}" : root.ActivatedAt is null ? "next (announced in the anchor)" : "active";
                Console.WriteLine($"root     {root.Kid}  {state}{(root.EncryptedPrivateKey is null ? ", kept off this server" : "")}");
            }
            var anchor = TrustAnchor.Of(roots.Where(r => r.RetiredAt is null).Select(r => JsonWebKey.FromPublicKey(r.Kid, r.PublicKey)));
            var db = services.GetRequiredService<LicenseHubDbContext>();
            foreach (var key in await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(token))
            {
                var certificate = anchor.Certify(SigningKeyStore.Published(key), out var problem);
                Console.WriteLine($"signing  {key.Kid}  {(key.RetiredAt is null ? "active" : "retired")}  " +
                    (certificate is null ? "NOT CERTIFIED: " + problem : $"certified by {certificate.RootKeyId} for tokens issued until {certificate.ExpiresAt:u}"));
            }
        }, ct));

        var signingKeyFile = new Option<FileInfo?>("--signing-key")
        {
            Description = "With a next root kept off this server: the signing key it certified offline ('licensehub trust offline-root issue-signing-key'), " +
                "which becomes the active signing key.",
        };
        var begin = new Option<bool>("--begin") { Description = "Step 1: create the next root and add it to the anchor. Then ship the new anchor everywhere." };
        var finish = new Option<bool>("--finish")
        {
            Description = "Step 2, once every agent and product has the new anchor: the next root certifies the signing keys and the old root leaves the anchor.",
        };
        var rotate = new Command("rotate-root",
            "Replace the vendor root key in two steps, so that no agent or product is ever without a trusted root: --begin, ship the anchor, --finish.")
        {
            begin, finish, signingKeyFile,
        };
        rotate.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(begin) == parse.GetValue(finish))
            {
                await Console.Error.WriteLineAsync("licensehub: give exactly one of --begin and --finish.");
                return 2;
            }
            return await RunWithServicesAsync(async (services, token) =>
            {
                var trust = services.GetRequiredService<RootOfTrust>();
                if (parse.GetValue(begin))
                {
                    var next = await trust.BeginRotationAsync("operator:cli", token);
                    await Console.Error.WriteLineAsync(
                        $"Created root {next.Kid}; the anchor now holds two roots. Export it with 'licensehub trust export', ship it to every agent and product, " +
                        "then run 'licensehub trust rotate-root --finish'.");
                }
                else
                {
                    var keyFile = parse.GetValue(signingKeyFile) is { } f ? OfflineKeyFile.Read(f.FullName) : null;
                    var active = await trust.FinishRotationAsync("operator:cli", token, keyFile);
                    await Console.Error.WriteLineAsync(
                        $"Root {active.Kid} now certifies the signing keys; the old root left the anchor. Replicas pick the new certificates up within their key refresh.");
                }
            }, ct);
        });

        var anchorFile = new Option<FileInfo>("--anchor") { Description = "The anchor 'licensehub trust offline-root init' printed.", Required = true };
        var adopt = new Command("adopt-root",
            "Step 1 of moving to a root kept off this server: announce it as the next root (public part only). Then ship the two-root anchor, certify a " +
            "signing key offline and run 'licensehub trust rotate-root --finish --signing-key FILE'.")
        {
            anchorFile,
        };
        adopt.SetAction(async (parse, ct) => await RunWithServicesAsync(async (services, token) =>
        {
            var anchor = JsonWebKeySet.Parse(await File.ReadAllTextAsync(parse.GetValue(anchorFile)!.FullName, token));
            var next = await services.GetRequiredService<RootOfTrust>().AdoptRootAsync("operator:cli", anchor, token);
            await Console.Error.WriteLineAsync($"Announced root {next.Kid} (kept off this server) as the next root; export and ship the anchor, then finish the rotation.");
        }, ct));

        var importFile = new Argument<FileInfo>("FILE") { Description = "The signing key file 'licensehub trust offline-root issue-signing-key' wrote." };
        var importKey = new Command("import-signing-key",
            "With the root kept off this server: make a signing key it certified offline the active one (the previous key stays published until its tokens expire). " +
            "The server refuses to create signing keys itself then.")
        {
            importFile,
        };
        importKey.SetAction(async (parse, ct) => await RunWithServicesAsync(async (services, token) =>
        {
            var key = await services.GetRequiredService<RootOfTrust>().ImportSigningKeyAsync("operator:cli",
                OfflineKeyFile.Read(parse.GetValue(importFile)!.FullName), token);
            await Console.Error.WriteLineAsync($"Signing key {key.Kid} is now active; delete the key file.");
        }, ct));

        return new Command("trust", "The vendor root of trust: export the anchor agents and products pin, list keys, rotate the root, keep the root off the server.")
        {
            export, list, rotate, adopt, importKey, OfflineRootCommands(),
        };
    }

    /// <summary>Run on the vendor's offline machine: no database, no configuration, only files.</summary>
    private static Command OfflineRootCommands()
    {
        var rootOut = new Option<FileInfo>("--out") { Description = "Where to write the root's private key (0600). Keep it offline.", Required = true };
        var init = new Command("init", "Create a root key kept off the server: writes its private key to --out and prints the anchor (its public part) for 'adopt-root'.")
        {
            rootOut,
        };
        init.SetAction(async (parse, ct) => await OfflineAsync(async () =>
        {
            var pair = Ed25519KeyPair.Generate();
            var kid = $"root-{DateTimeOffset.UtcNow:yyyyMMdd}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
            await OfflineKeyFile.Of(kid, pair).WriteAsync(parse.GetValue(rootOut)!.FullName, ct);
            Console.Out.Write(new JsonWebKeySet { Keys = [pair.ToJsonWebKey(kid)] }.ToJson() + "\n");
            await Console.Error.WriteLineAsync($"Wrote root {kid} to {parse.GetValue(rootOut)!.FullName} (0600).");
        }));

        var rootKey = new Option<FileInfo>("--root-key") { Description = "The root's private key file from 'offline-root init'.", Required = true };
        var keyOut = new Option<FileInfo>("--out") { Description = "Where to write the new signing key with its certificate (0600); carry it to the server once.", Required = true };
        var days = new Option<int>("--days") { Description = "How many days the key may issue tokens under this certificate.", DefaultValueFactory = _ => 730 };
        var issue = new Command("issue-signing-key", "Create a signing key and certify it with the offline root, for 'rotate-root --finish --signing-key' or 'import-signing-key'.")
        {
            rootKey, keyOut, days,
        };
        issue.SetAction(async (parse, ct) => await OfflineAsync(async () =>
        {
            if (parse.GetValue(days) is < 1 or > 3650)
            {
                throw new PreconditionFailedException("--days must be between 1 and 3650.");
            }
            var root = OfflineKeyFile.Read(parse.GetValue(rootKey)!.FullName);
            var pair = Ed25519KeyPair.Generate();
            var now = DateTimeOffset.UtcNow;
            var kid = $"lh-{now:yyyyMMdd}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
            var certificate = KeyCertificate.Issue(root.Pair(), root.Kid, pair.ToJsonWebKey(kid), now, now.AddDays(parse.GetValue(days)));
            await OfflineKeyFile.Of(kid, pair, certificate).WriteAsync(parse.GetValue(keyOut)!.FullName, ct);
            await Console.Error.WriteLineAsync($"Wrote signing key {kid}, certified by {root.Kid} for {parse.GetValue(days)} days, to {parse.GetValue(keyOut)!.FullName} (0600).");
        }));

        return new Command("offline-root", "A root kept off the server, on the vendor's offline machine: create it, certify signing keys with it.") { init, issue };
    }

    private static async Task<int> OfflineAsync(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (PreconditionFailedException e)
        {
            await Console.Error.WriteLineAsync("licensehub: " + e.Message);
            return 1;
        }
    }

    /// <summary>Builds the server's services (not its endpoints), brings the database up to date with the keys certified, and runs the action.</summary>
    internal static async Task<int> RunWithServicesAsync(Func<IServiceProvider, CancellationToken, Task> action, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddShippedSettings().AddLicenseHubDatabase().AddLicenseHubCore();
        await using var app = builder.Build();
        try
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
                DatabaseInitializer.RefuseLostDatabase(db, scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Operations.LicenseHubOptions>>().Value);
                await db.Database.MigrateAsync(ct);
                await scope.ServiceProvider.GetRequiredService<SigningKeyRotation>().EnsureActiveKeyAsync(ct);
            }
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await action(scope.ServiceProvider, ct);
            }
            return 0;
        }
        catch (Exception e) when (e is PreconditionFailedException or LostDatabaseException)
        {
            await Console.Error.WriteLineAsync("licensehub: " + e.Message);
            return 1;
        }
    }
}
