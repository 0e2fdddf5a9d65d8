using System.CommandLine;
using System.Runtime.InteropServices;

namespace LicenseHub.Agent.Commands;

internal static class RunCommand
{
    public static Command Create(AgentCommandLine cli)
    {
        var interval = new Option<int?>("--interval")
        {
            Description = $"Seconds between check-ins (default: what the server suggests, else {CheckInDaemon.DefaultInterval.TotalSeconds:F0}); ±10% jitter is added.",
            HelpName = "SECONDS",
        };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 10)
            {
                result.AddError("--interval must be at least 10 seconds");
            }
        });

        var once = new Option<bool>("--once")
        {
            Description = "Check in once and exit with the result: 0 licensed, 1 refused by the server with a signed status (e.g. REVOKED; the cached token is dropped), 3 unreachable, or a refusal without a valid signed status (the token is kept). For cron jobs and scripts.",
        };

        var command = new Command("run", $"Run as a daemon: check in periodically, refresh the token and signing keys, back off (up to {CheckInDaemon.MaxBackoff.TotalMinutes:F0} min) while the server is unreachable. Stops cleanly on SIGTERM/SIGINT.")
        {
            interval, once,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(once) && result.GetValue(interval) is not null)
            {
                result.AddError("--interval has no effect with --once");
            }
        });
        command.SetAction(async (parse, _) =>
        {
            var ctx = cli.Context(parse);
            using var stopping = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            var seconds = parse.GetValue(interval);
            var daemon = new CheckInDaemon(ctx, seconds is { } s ? TimeSpan.FromSeconds(s) : null, parse.GetValue(once));
            return await ctx.GuardAsync(() => daemon.RunAsync(stopping.Token));

            void Stop(PosixSignalContext signal)
            {
                // Let the loop finish its current step and exit 0 instead of being killed mid-write.
                signal.Cancel = true;
                stopping.Cancel();
            }
        });
        return command;
    }
}
