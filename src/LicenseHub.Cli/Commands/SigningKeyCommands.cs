using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl signing-key …  (vendor): the keys that sign license tokens and offline license files.</summary>
public static class SigningKeyCommands
{
    public static Command Create(CliContext cli)
    {
        var signingKey = new Command("signing-key",
            "Keys that sign license tokens and offline license files (rotate: vendor admin key; list: vendor admin or auditor key).");
        signingKey.Add(Rotate(cli));
        signingKey.Add(List(cli));
        return signingKey;
    }

    private static Command Rotate(CliContext cli)
    {
        var command = new Command("rotate",
            "Create a new signing key; new tokens use it at once. The old key is retired but its public key stays in the JWKS "
            + "until the last token it signed has expired, so agents keep verifying them.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.RotateSigningKeyAsync(new RotateSigningKeyRequest(), cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                o.WriteLine($"New active signing key: {response.Active.Kid} (created {Display.Time(response.Active.CreatedAt)}).");
                if (response.Retired is { } retired)
                {
                    o.WriteLine($"Retired: {retired.Kid}; published in the JWKS until {Display.Time(retired.PublishedUntil)}.");
                }
            });
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var command = new Command("list", "List the signing keys, newest first: which one is active and until when retired ones stay published.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListSigningKeysAsync(new ListSigningKeysRequest(), cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                if (response.Keys.Count == 0)
                {
                    o.WriteLine("No signing keys (the server creates one when it first starts).");
                    return;
                }
                var table = new Table("KID", "STATE", "CREATED", "RETIRED", "PUBLISHED UNTIL");
                foreach (var k in response.Keys)
                {
                    table.Add(k.Kid, k.Active ? "active" : "retired", Display.Time(k.CreatedAt),
                        k.RetiredAt is null ? "" : Display.Time(k.RetiredAt), k.PublishedUntil is null ? "" : Display.Time(k.PublishedUntil));
                }
                table.WriteTo(o);
            });
        });
        return command;
    }
}
