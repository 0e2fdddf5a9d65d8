using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl audit …  (vendor admin or auditor)</summary>
public static class AuditCommands
{
    public static Command Create(CliContext cli)
    {
        var audit = new Command("audit", "The append-only, hash-chained audit trail (vendor admin or auditor key).");
        audit.Add(Events(cli));
        audit.Add(Verify(cli));
        return audit;
    }

    private static Command Events(CliContext cli)
    {
        var objectId = new Option<string?>("--object") { Description = "Only events about this object id.", HelpName = "ID" };
        var command = new Command("events", "List audit events, newest first.") { objectId };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await paging.FetchAsync(parse, page => session.Vendor.ListAuditEventsAsync(
                new ListAuditEventsRequest { Page = page, ObjectId = parse.GetValue(objectId) ?? "" }, cancellationToken: ct).ResponseAsync);
            session.Printer.Print(response, o =>
            {
                if (response.Events.Count == 0)
                {
                    o.WriteLine("No audit events.");
                    return;
                }
                var table = new Table("SEQ", "AT", "ACTOR", "ACTION", "OBJECT", "DETAILS");
                foreach (var e in response.Events)
                {
                    table.Add(e.Sequence.ToString(), Display.Time(e.At), e.ActorId, e.Action, $"{e.ObjectType}:{e.ObjectId}", e.Details);
                }
                table.WriteTo(o);
            });
            Paging.HintMore(session.Printer, response);
        });
        return command;
    }

    private static Command Verify(CliContext cli)
    {
        var command = new Command("verify", "Check the whole audit chain for tampering. Exits 4 when it is broken.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var result = await session.Vendor.VerifyAuditChainAsync(new VerifyAuditChainRequest(), cancellationToken: ct);
            session.Printer.Print(result, o =>
            {
                o.WriteLine(result.Intact
                    ? $"Audit chain intact: {result.EventsChecked} event(s) checked."
                    : $"Audit chain BROKEN at event {result.FirstBrokenSequence} ({result.EventsChecked} checked): {result.Problem}");
            });
            return result.Intact ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        });
        return command;
    }
}
