using System.CommandLine;
using LicenseHub.Server.Privacy;

namespace LicenseHub.Server.Hosting;

/// <summary><c>licensehub retention run [--confirm]</c>: one retention run now, with the server's configuration.</summary>
public static class RetentionCommands
{
    public static Command Create()
    {
        var confirm = new Option<bool>("--confirm")
        {
            Description = "Act although the run holds back (a clock far from the newest stored time, or a release of many installations at once). " +
                "Check the server's clock first.",
        };
        var run = new Command("run", "Run retention once now and print what it did (counts only).") { confirm };
        run.SetAction(async (parse, ct) => await TrustCommands.RunWithServicesAsync(async (services, token) =>
        {
            var result = await services.GetRequiredService<RetentionJob>().RunOnceAsync(parse.GetValue(confirm), token);
            Console.WriteLine($"{result.CheckInsAggregated} check-ins rolled up into {result.AggregateRows} daily counts, " +
                $"{result.InstallationsReleased} silent installations released, {result.AuditEventsDeleted} audit events deleted, " +
                $"{result.AssignmentKeysErased} license keys kept for replaying an assignment erased.");
            if (result.Held is { } held)
            {
                await Console.Error.WriteLineAsync($"Held back: {held}. Run again with --confirm to act anyway.");
            }
        }, ct));
        return new Command("retention", "Retention of check-ins, silent installations and audit events.") { run };
    }
}
