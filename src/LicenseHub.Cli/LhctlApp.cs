using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using LicenseHub.Cli.Commands;

namespace LicenseHub.Cli;

/// <summary>Builds the lhctl command tree and runs one command line.</summary>
public static class LhctlApp
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, new CliEnvironment(output, error, Environment.GetEnvironmentVariable, Console.In));

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        var root = BuildRoot(environment);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var problem in parse.Errors)
            {
                environment.Error.WriteLine("lhctl: " + problem.Message);
            }
            environment.Error.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = environment.Out, Error = environment.Error });
    }

    public static RootCommand BuildRoot(CliEnvironment environment)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "lhctl — manage LicenseHub as a vendor (products, plans, resellers) or as a reseller (orders, pools, licenses).\n\n"
            + $"Quick start: export {GlobalOptions.ApiKeyVariable}=<key>   (or --api-key-file data/vendor-admin.key)\n"
            + "             lhctl product create --code panel --name \"Hosting Panel\"\n\n"
            + "Exit codes: 0 ok, 1 the server refused the request, 2 usage error, 3 server unreachable, "
            + "4 verification failed (audit verify: the chain is broken; audit scan: personal data found), "
            + "5 not confirmed (a renewal, plan change, new key or return was shown and not confirmed; nothing was done).");
        globals.AddTo(root);
        var cli = new CliContext(globals, environment);
        root.Add(ProductCommands.Create(cli));
        root.Add(PlanCommands.Create(cli));
        root.Add(LicenseModelCommands.Features(cli));
        root.Add(LicenseModelCommands.Prices(cli));
        root.Add(LicenseModelCommands.Revenue(cli));
        root.Add(PlanCommands.CreateResellerPlans(cli));
        root.Add(ResellerCommands.Create(cli));
        root.Add(AccountCommands.Create(cli));
        root.Add(ApiKeyCommands.Create(cli));
        root.Add(StaffCommands.Create(cli));
        root.Add(OrderCommands.Create(cli));
        root.Add(PoolCommands.Create(cli));
        root.Add(LicenseCommands.Create(cli));
        root.Add(VendorCommands.Create(cli));
        root.Add(AuditCommands.Create(cli));
        root.Add(SigningKeyCommands.Create(cli));
        root.Add(EventCommands.Create(cli));
        root.Add(EventCommands.CreateWebhooks(cli));
        return root;
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Insert(0, command.Command is RootCommand ? "lhctl" : command.Command.Name);
        }
        return string.Join(' ', names);
    }
}
