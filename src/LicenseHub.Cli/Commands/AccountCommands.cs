using System.CommandLine;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl account …  (reseller): the caller's own account.</summary>
public static class AccountCommands
{
    public static Command Create(CliContext cli)
    {
        var account = new Command("account", "Your own reseller account (reseller key).");
        account.Add(Show(cli));
        account.Add(Keys(cli));
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
}
