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
        export.SetAction(async (parse, ct) => await RunAsync(async (services, token) =>
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
        list.SetAction(async (_, ct) => await RunAsync(async (services, token) =>
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

        var begin = new Option<bool>("--begin") { Description = "Step 1: create the next root and add it to the anchor. Then ship the new anchor everywhere." };
        var finish = new Option<bool>("--finish")
        {
            Description = "Step 2, once every agent and product has the new anchor: the next root certifies the signing keys and the old root leaves the anchor.",
        };
        var rotate = new Command("rotate-root",
            "Replace the vendor root key in two steps, so that no agent or product is ever without a trusted root: --begin, ship the anchor, --finish.")
        {
            begin, finish,
        };
        rotate.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(begin) == parse.GetValue(finish))
            {
                await Console.Error.WriteLineAsync("licensehub: give exactly one of --begin and --finish.");
                return 2;
            }
            return await RunAsync(async (services, token) =>
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
                    var active = await trust.FinishRotationAsync("operator:cli", token);
                    await Console.Error.WriteLineAsync(
                        $"Root {active.Kid} now certifies the signing keys; the old root left the anchor. Replicas pick the new certificates up within their key refresh.");
                }
            }, ct);
        });

        return new Command("trust", "The vendor root of trust: export the anchor agents and products pin, list keys, rotate the root.") { export, list, rotate };
    }

    /// <summary>Builds the server's services (not its endpoints), brings the database up to date with the keys certified, and runs the action.</summary>
    private static async Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task> action, CancellationToken ct)
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
                await scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>().Database.MigrateAsync(ct);
                await scope.ServiceProvider.GetRequiredService<SigningKeyRotation>().EnsureActiveKeyAsync(ct);
            }
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await action(scope.ServiceProvider, ct);
            }
            return 0;
        }
        catch (PreconditionFailedException e)
        {
            await Console.Error.WriteLineAsync("licensehub: " + e.Message);
            return 1;
        }
    }
}
