using System.CommandLine;
using Google.Protobuf;
using LicenseHub.Agent.State;

namespace LicenseHub.Agent.Commands;

internal static class TelemetryCommand
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public static Command Create(AgentCommandLine cli)
    {
        var show = new Command("show", "Print exactly the fields the next check-in will send, as the JSON form of the CheckIn request (installation secret masked).");
        show.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => Task.FromResult(Show(ctx)));
        });

        var level = new Argument<string>("LEVEL") { Description = "required: fingerprint, product version, agent version only. basic: also OS family, OS version (major.minor), CPU architecture and core count." };
        level.AcceptOnlyFromAmong("required", "basic");
        var set = new Command("set", "Choose what check-ins send: 'required' (default) or 'basic'. Takes effect at the next check-in.") { level };
        set.SetAction((parse, _) =>
        {
            var ctx = cli.Context(parse);
            return ctx.GuardAsync(() => Task.FromResult(Set(ctx, parse.GetValue(level) == "basic" ? TelemetrySetting.Basic : TelemetrySetting.Required)));
        });

        return new Command("telemetry", "Show or change what this agent reports to the license server.") { show, set };
    }

    public static int Show(AgentContext ctx)
    {
        var state = ctx.Store.Load();
        if (state is null || !state.IsOnlineActivation)
        {
            return ctx.Fail(ExitCodes.NotLicensed, state is null
                ? "not activated: nothing is sent until 'lh-agent activate'"
                : "this installation uses an offline license and sends nothing");
        }

        var salt = state.GetFingerprintSalt() ?? throw new AgentStateException("the state has no fingerprint salt; activate again");
        var request = AgentRequests.CheckIn(state, ctx.MachineId.Fingerprint(salt), SystemFacts.Current(), SignedRefusal.NewNonce());
        ctx.Out.WriteLine(s_formatter.Format(AgentRequests.Masked(request)));
        return ExitCodes.Ok;
    }

    public static int Set(AgentContext ctx, TelemetrySetting level)
    {
        var saved = ctx.Store.Update(state =>
        {
            if (state is null)
            {
                // Choosing the level before activating is allowed: activation then sends only that.
                return new AgentState { TelemetryLevel = level };
            }

            state.TelemetryLevel = level;
            return state;
        });
        ctx.Out.WriteLine($"telemetry level: {saved!.TelemetryLevel.ToString().ToLowerInvariant()}");
        return ExitCodes.Ok;
    }
}
