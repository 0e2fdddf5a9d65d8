using System.CommandLine;
using LicenseHub.Agent.Trust;

namespace LicenseHub.Agent.Commands;

/// <summary><c>token</c>: the license file for the vendor's product, printed (never the installation secret).</summary>
internal static class TokenCommand
{
    public static Command Create(AgentCommandLine cli)
    {
        var command = new Command("token",
            "Print the license file the product verifies in-process: the current token, the signing keys with their certificates (lhc) and the " +
            "fingerprint salt, as JSON (format lh-license/1; see docs/verify-in-your-product.md). The daemon keeps the same content in the license file. " +
            "Exit 0 when a token is held, 1 otherwise (the JSON then says why).");
        command.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() =>
            {
                var state = ctx.Store.Load();
                if (state is null)
                {
                    return Task.FromResult(ctx.Fail(ExitCodes.NotLicensed, "not activated (run 'lh-agent activate KEY --server URL' or 'lh-agent import FILE')"));
                }

                ctx.Out.WriteLine(LicenseFilePublisher.Describe(state, ctx.Now).ToJson());
                return Task.FromResult(state.Token is null ? ExitCodes.NotLicensed : ExitCodes.Ok);
            });
        });
        return command;
    }
}
