using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl apikey …  (vendor)</summary>
public static class ApiKeyCommands
{
    public static Command Create(CliContext cli)
    {
        var apikey = new Command("apikey", "API keys of resellers and vendor staff (vendor admin key).");
        apikey.Add(CreateResellerKey(cli));
        apikey.Add(CreateVendorKey(cli));
        apikey.Add(Revoke(cli));
        apikey.Add(List(cli));
        return apikey;
    }

    private static Command CreateResellerKey(CliContext cli)
    {
        var reseller = new Option<string>("--reseller") { Description = "Id of the reseller the key acts for.", Required = true, HelpName = "ID" };
        var name = new Option<string>("--name") { Description = "What the key is for, e.g. 'billing system'.", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "owner: everything incl. account; manager: buy and manage licenses; viewer: read only.",
            Required = true,
        };
        role.AcceptOnlyFromAmong("owner", "manager", "viewer");
        var command = new Command("create", "Issue an API key to a reseller. The key is shown once.") { reseller, name, role };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
            {
                ResellerId = parse.GetValue(reseller)!,
                Name = parse.GetValue(name)!,
                Role = parse.GetValue(role) switch
                {
                    "owner" => ApiKeyRole.Owner,
                    "manager" => ApiKeyRole.Manager,
                    _ => ApiKeyRole.Viewer,
                },
            }, cancellationToken: ct);
            PrintNewKey(session.Printer, response);
        });
        return command;
    }

    private static Command CreateVendorKey(CliContext cli)
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for, e.g. 'ops laptop'.", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "admin: everything; auditor: read the audit trail, inventory and statistics only.",
            Required = true,
        };
        role.AcceptOnlyFromAmong("admin", "auditor");
        var command = new Command("create-vendor", "Issue an API key to vendor staff. The key is shown once.") { name, role };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest
            {
                Name = parse.GetValue(name)!,
                Role = parse.GetValue(role) == "admin" ? ApiKeyRole.VendorAdmin : ApiKeyRole.VendorAuditor,
            }, cancellationToken: ct);
            PrintNewKey(session.Printer, response);
        });
        return command;
    }

    private static Command Revoke(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the API key (see 'lhctl apikey list')." };
        var command = new Command("revoke", "Revoke an API key; it stops working immediately.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var info = await session.Vendor.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = parse.GetValue(id)! }, cancellationToken: ct);
            session.Printer.Print(info, o => o.WriteLine($"Revoked API key {info.Id} ({info.Name}, {info.Prefix}…) at {Display.Time(info.RevokedAt)}."));
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var reseller = new Option<string?>("--reseller") { Description = "List this reseller's keys instead of the vendor staff keys.", HelpName = "ID" };
        var command = new Command("list", "List vendor staff API keys, or a reseller's with --reseller (prefixes only). Resellers use 'lhctl account keys'.") { reseller };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListApiKeysAsync(new ListApiKeysRequest { ResellerId = parse.GetValue(reseller) ?? "" },
                cancellationToken: ct);
            session.Printer.Print(response, o => WriteKeys(o, response.ApiKeys));
        });
        return command;
    }

    public static void WriteKeys(TextWriter o, IReadOnlyCollection<ApiKeyInfo> keys)
    {
        if (keys.Count == 0)
        {
            o.WriteLine("No API keys.");
            return;
        }
        var table = new Table("ID", "NAME", "ROLE", "PREFIX", "RESELLER", "CREATED", "LAST USED", "REVOKED");
        foreach (var k in keys)
        {
            table.Add(k.Id, k.Name, Display.Role(k.Role), k.Prefix, k.ResellerId, Display.Time(k.CreatedAt),
                k.LastUsedAt is null ? "never" : Display.Time(k.LastUsedAt), k.RevokedAt is null ? "" : Display.Time(k.RevokedAt));
        }
        table.WriteTo(o);
    }

    private static void PrintNewKey(Printer printer, CreateApiKeyResponse response)
    {
        var info = response.Info;
        printer.Print(response, o =>
        {
            o.WriteLine($"Created API key {info.Id} ({info.Name}, role {Display.Role(info.Role)}).");
            o.WriteLine();
            o.WriteLine($"    {response.ApiKey}");
            o.WriteLine();
        });
        // The server keeps only a hash: this is the one moment the key exists in readable form.
        printer.Notice("Store this API key now (e.g. in a password manager); it will not be shown again.");
        printer.Notice($"Use it with: export {GlobalOptions.ApiKeyVariable}=<key>   or   lhctl --api-key-file <file>");
    }
}
