using System.CommandLine;
using Grpc.Core;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl account …  (reseller): the caller's own account.</summary>
public static class AccountCommands
{
    public static Command Create(CliContext cli)
    {
        var account = new Command("account",
            "Your own reseller account and your data rights: see, export, correct, restrict, delete (reseller key; "
            + "update, restrict and delete need the owner role).");
        account.Add(Show(cli));
        account.Add(Keys(cli));
        account.Add(Export(cli));
        account.Add(Update(cli));
        account.Add(Restrict(cli));
        account.Add(Delete(cli));
        return account;
    }

    private static Command Show(CliContext cli)
    {
        var command = new Command("show", "Show your account as the vendor holds it.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var reseller = await session.Reseller.GetAccountAsync(new GetAccountRequest(), cancellationToken: ct);
            session.Printer.Print(reseller, o => ResellerCommands.WriteReseller(o, reseller));
        });
        return command;
    }

    private static Command Keys(CliContext cli)
    {
        var command = new Command("keys", "List your account's API keys (prefixes only; keys are never shown again).");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Reseller.ListApiKeysAsync(new ResellerListApiKeysRequest(), cancellationToken: ct);
            session.Printer.Print(response, o => ApiKeyCommands.WriteKeys(o, response.ApiKeys));
        });
        return command;
    }

    private static Command Export(CliContext cli)
    {
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Write the export to this new file (permissions 0600; an existing file is never overwritten) instead of printing it.",
            HelpName = "FILE",
        };
        var command = new Command("export",
            "Export everything the server holds about your account as JSON: profile, API keys (prefixes only), pools, orders, "
            + "licenses (key prefixes only). License and API keys are not included: the server keeps only their hashes. "
            + "With --json the export is wrapped in the response message ({\"json\": \"...\"}).")
        {
            output,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var outputFile = parse.GetValue(output);
            using var file = outputFile is null ? null : PrivateFile.CreateNew(outputFile.FullName, "personal data");
            ExportMyDataResponse response;
            try
            {
                response = await session.Reseller.ExportMyDataAsync(new ExportMyDataRequest(), cancellationToken: ct);
            }
            catch (RpcException)
            {
                file?.Abandon();
                throw;
            }
            if (file is not null && file.TryWrite(response.Json, session.Printer.Error))
            {
                session.Printer.Notice($"Wrote your data export to {file.Path} (permissions 0600). It holds personal data; keep it safe.");
                return;
            }
            session.Printer.Print(response, o => o.WriteLine(response.Json.TrimEnd('\n')));
        });
        return command;
    }

    private static Command Update(CliContext cli)
    {
        var company = new Option<string?>("--company") { Description = "New company name.", HelpName = "NAME" };
        var country = new Option<string?>("--country") { Description = "New ISO 3166-1 alpha-2 country code, e.g. DE.", HelpName = "CC" };
        var vatId = new Option<string?>("--vat-id") { Description = "New VAT identification number; --vat-id \"\" removes it.", HelpName = "ID" };
        var contactName = new Option<string?>("--contact-name") { Description = "New name of the billing contact.", HelpName = "NAME" };
        var contactEmail = new Option<string?>("--contact-email") { Description = "New e-mail address of the billing contact.", HelpName = "EMAIL" };
        var command = new Command("update", "Correct your account's profile. Only the fields given are changed; the audit trail records which, never their values.")
        {
            company, country, vatId, contactName, contactEmail,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            // proto3 optional: a field is sent only when its option was given, so the server leaves the rest alone.
            var request = new UpdateProfileRequest();
            if (parse.GetValue(company) is { } c)
            {
                request.CompanyName = c;
            }
            if (parse.GetValue(country) is { } cc)
            {
                request.Country = cc;
            }
            if (parse.GetValue(vatId) is { } vat)
            {
                request.VatId = vat;
            }
            if (parse.GetValue(contactName) is { } name)
            {
                request.BillingContactName = name;
            }
            if (parse.GetValue(contactEmail) is { } email)
            {
                request.BillingContactEmail = email;
            }
            if (!(request.HasCompanyName || request.HasCountry || request.HasVatId || request.HasBillingContactName || request.HasBillingContactEmail))
            {
                throw new UsageException("Nothing to update: give at least one of --company, --country, --vat-id, --contact-name, --contact-email.");
            }
            var reseller = await session.Reseller.UpdateProfileAsync(request, cancellationToken: ct);
            session.Printer.Print(reseller, o =>
            {
                o.WriteLine("Updated your account:");
                ResellerCommands.WriteReseller(o, reseller);
            });
        });
        return command;
    }

    private static Command Restrict(CliContext cli)
    {
        var state = new Argument<string>("on|off")
        {
            Description = "on: stop non-essential processing (statistics) of your account's data; off: lift the restriction.",
        };
        state.AcceptOnlyFromAmong("on", "off");
        var command = new Command("restrict", "Restrict the processing of your account's data, or lift the restriction.") { state };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var restricted = parse.GetValue(state) == "on";
            var reseller = await session.Reseller.SetProcessingRestrictionAsync(
                new SetProcessingRestrictionRequest { Restricted = restricted }, cancellationToken: ct);
            session.Printer.Print(reseller, o => o.WriteLine(restricted
                ? $"Processing of account {reseller.Id}'s data is now restricted: it is no longer used for statistics or other "
                    + "non-essential processing. Lift it with 'lhctl account restrict off'."
                : $"Processing of account {reseller.Id}'s data is no longer restricted."));
        });
        return command;
    }

    private static Command Delete(CliContext cli)
    {
        var confirm = new Option<string>("--confirm")
        {
            Description = "Your account's id (see 'lhctl account show'), to confirm that you mean it.",
            Required = true,
            HelpName = "RESELLER_ID",
        };
        var command = new Command("delete",
            "Delete your account: personal fields are erased and every API key (this one too) is revoked; orders are kept "
            + "pseudonymised for their legal period; assigned licenses keep working until they expire. Cannot be undone.")
        {
            confirm,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Reseller.DeleteAccountAsync(
                new DeleteAccountRequest { ConfirmResellerId = parse.GetValue(confirm)! }, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                o.WriteLine($"Deleted account {parse.GetValue(confirm)!.Trim()}.");
                o.WriteLine("Erased:");
                foreach (var line in response.Erased)
                {
                    o.WriteLine("  - " + line);
                }
                o.WriteLine("Kept:");
                foreach (var line in response.Kept)
                {
                    o.WriteLine("  - " + line);
                }
            });
        });
        return command;
    }
}
