using System.CommandLine;
using System.Globalization;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl audit …  (vendor admin or auditor)</summary>
public static class AuditCommands
{
    public static Command Create(CliContext cli)
    {
        var audit = new Command("audit",
            "The append-only, hash-chained audit trail, and what the server can prove about the data it holds: "
            + "inventory, personal-data scan, retention, anonymous statistics (vendor admin or auditor key).");
        audit.Add(Events(cli));
        audit.Add(Verify(cli));
        audit.Add(Inventory(cli));
        audit.Add(Scan(cli));
        audit.Add(Retention(cli));
        audit.Add(Stats(cli));
        return audit;
    }

    private static Command Events(CliContext cli)
    {
        var objectId = new Option<string?>("--object") { Description = "Only events about this object id.", HelpName = "ID" };
        var action = new Option<string?>("--action") { Description = "Only events of this action, e.g. license.revoke.", HelpName = "ACTION" };
        var actor = new Option<string?>("--actor")
        {
            Description = "Only events by this actor, as the ACTOR column shows it (staff:<id>, apikey:<id>, agent, system:<task>) or a bare staff or API key id.",
            HelpName = "ACTOR",
        };
        var from = new Option<string?>("--from") { Description = "Only events on or after this day (UTC).", HelpName = "YYYY-MM-DD" };
        var to = new Option<string?>("--to") { Description = "Only events on or before this day (UTC).", HelpName = "YYYY-MM-DD" };
        var command = new Command("events", "List audit events, newest first; the filters combine.") { objectId, action, actor, from, to };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            await paging.PrintAsync(session.Printer, parse, page => session.Vendor.ListAuditEventsAsync(
                new ListAuditEventsRequest
                {
                    Page = page, ObjectId = parse.GetValue(objectId) ?? "", Action = parse.GetValue(action) ?? "", Actor = parse.GetValue(actor) ?? "",
                    FromDate = parse.GetValue(from) ?? "", ToDate = parse.GetValue(to) ?? "",
                }, cancellationToken: ct).ResponseAsync,
                (o, response) =>
                {
                    if (response.Events.Count == 0)
                    {
                        o.WriteLine("No audit events.");
                        return;
                    }
                    var table = new Table("SEQ", "AT", "ACTOR", "ACTION", "OBJECT", "DETAILS");
                    foreach (var e in response.Events)
                    {
                        table.Add(e.Sequence.ToString(), Display.Time(e.At), e.ActorId, e.Action, $"{e.ObjectType}:{e.ObjectId}",
                            e.Note.Length == 0 ? e.Details : $"{e.Details} (note: {e.Note})");
                    }
                    table.WriteTo(o);
                });
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

    private static Command Inventory(CliContext cli)
    {
        var markdown = new Option<bool>("--markdown")
        {
            Description = "Print the inventory as the server renders it in Markdown (for a data protection record), instead of tables.",
        };
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Write the inventory to this file instead of stdout (replaced if it exists; the inventory holds no personal data).",
            HelpName = "FILE",
        };
        var command = new Command("inventory",
            "Show the data inventory generated from the data model: every table and column with its classification, purpose, "
            + "retention rule, the roles that can read it, and live row counts.")
        {
            markdown, output,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var asMarkdown = parse.GetValue(markdown);
            if (asMarkdown && session.Printer.Json)
            {
                throw new UsageException("Give either --json or --markdown, not both.");
            }
            var file = parse.GetValue(output);
            var inventory = await session.Audit.GetDataInventoryAsync(
                new GetDataInventoryRequest { Format = asMarkdown ? "markdown" : "json" }, cancellationToken: ct);

            using var text = new StringWriter { NewLine = "\n" };
            var printer = file is null ? session.Printer : new Printer(text, session.Printer.Error, session.Printer.Json);
            if (asMarkdown)
            {
                printer.Out.Write(inventory.Rendered.EndsWith('\n') ? inventory.Rendered : inventory.Rendered + "\n");
            }
            else
            {
                printer.Print(inventory, o => WriteInventory(o, inventory));
            }
            if (file is not null)
            {
                try
                {
                    await File.WriteAllTextAsync(file.FullName, text.ToString(), ct);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"Cannot write {file.FullName}: {ex.Message}");
                }
                session.Printer.Notice($"Wrote the data inventory ({inventory.Tables.Count} tables) to {file.FullName}.");
            }
        });
        return command;
    }

    private static void WriteInventory(TextWriter o, DataInventory inventory)
    {
        o.WriteLine($"Data inventory generated {Display.Time(inventory.GeneratedAt)} from the data model.");
        o.WriteLine();
        var summary = new Table("TABLE", "ROWS", "COLUMNS", "PERSONAL", "END-USER DATA");
        foreach (var t in inventory.Tables)
        {
            summary.Add(t.Table, t.RowCount.ToString(CultureInfo.InvariantCulture), t.Columns.Count.ToString(CultureInfo.InvariantCulture),
                t.Columns.Count(c => c.Classification == "Personal").ToString(CultureInfo.InvariantCulture), t.EndUserData ? "yes" : "no");
        }
        summary.WriteTo(o);
        foreach (var t in inventory.Tables)
        {
            o.WriteLine();
            o.WriteLine($"{t.Table} ({t.RowCount} row(s){(t.EndUserData ? ", end-user data: must hold no personal data" : "")})");
            var columns = new Table("COLUMN", "CLASSIFICATION", "RETENTION", "READABLE BY", "PURPOSE");
            foreach (var c in t.Columns)
            {
                columns.Add(c.Column, c.Classification, c.Retention, string.Join(", ", c.ReadableBy), c.Purpose);
            }
            columns.WriteTo(o);
        }
    }

    private static Command Scan(CliContext cli)
    {
        var command = new Command("scan",
            "Scan every stored text value for e-mail addresses, phone numbers, IP and MAC addresses and host names in columns "
            + "not classified as personal data; values are shown masked. Exits 0 when nothing is found, 4 when there are findings.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var report = await session.Audit.ScanForPersonalDataAsync(new ScanForPersonalDataRequest(), cancellationToken: ct);
            session.Printer.Print(report, o =>
            {
                if (report.Findings.Count == 0)
                {
                    o.WriteLine($"No personal data found in {report.ValuesScanned} values scanned.");
                    return;
                }
                var table = new Table("TABLE", "COLUMN", "ROW KEY", "KIND", "MASKED VALUE");
                foreach (var f in report.Findings)
                {
                    table.Add(f.Table, f.Column, f.RowKey, f.Kind, f.MaskedValue);
                }
                table.WriteTo(o);
                o.WriteLine($"{report.Findings.Count} finding(s) in {report.ValuesScanned} values scanned: "
                    + "values that look like personal data in columns not classified for it.");
            });
            return report.Findings.Count == 0 ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        });
        return command;
    }

    private static Command Retention(CliContext cli)
    {
        var command = new Command("retention",
            "Per data class: the rows held, the oldest of them against its retention rule, and how many are overdue "
            + "(the next retention run removes them).");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var report = await session.Audit.GetRetentionReportAsync(new GetRetentionReportRequest(), cancellationToken: ct);
            session.Printer.Print(report, o =>
            {
                if (report.Entries.Count == 0)
                {
                    o.WriteLine("No retention rules reported.");
                    return;
                }
                var table = new Table("DATA CLASS", "TABLE", "ROWS", "OLDEST", "OVERDUE", "RULE");
                foreach (var e in report.Entries)
                {
                    table.Add(e.DataClass, e.Table, e.Rows.ToString(CultureInfo.InvariantCulture), Display.Time(e.Oldest),
                        e.Overdue.ToString(CultureInfo.InvariantCulture), e.Rule);
                }
                table.WriteTo(o);
                var overdue = report.Entries.Sum(e => e.Overdue);
                if (overdue > 0)
                {
                    o.WriteLine($"{overdue} row(s) are past their retention window; the next retention run removes them.");
                }
            });
        });
        return command;
    }

    private static Command Stats(CliContext cli)
    {
        var days = new Option<int?>("--days")
        {
            Description = "How many days back, 1..3660 (default 90).",
            HelpName = "N",
        };
        var command = new Command("stats",
            "Anonymous daily usage statistics: installations per day, product, version and OS family. "
            + "Groups of fewer than 5 installations are suppressed.")
        {
            days,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var wanted = parse.GetValue(days);
            if (wanted is < 1 or > 3660)
            {
                throw new UsageException($"--days must be between 1 and 3660 (got {wanted}).");
            }
            var stats = await session.Audit.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { Days = wanted ?? 0 }, cancellationToken: ct);
            session.Printer.Print(stats, o =>
            {
                var period = $"the last {wanted ?? 90} days";
                if (stats.Days.Count == 0)
                {
                    o.WriteLine($"No usage statistics to show for {period}.");
                }
                else
                {
                    var table = new Table("DAY", "PRODUCT", "VERSION", "OS", "INSTALLATIONS");
                    foreach (var d in stats.Days)
                    {
                        table.Add(d.Day, d.Product, d.ProductVersion, d.OsFamily, d.Installations.ToString(CultureInfo.InvariantCulture));
                    }
                    table.WriteTo(o);
                }
                if (stats.SuppressedGroups > 0)
                {
                    o.WriteLine($"{stats.SuppressedGroups} group(s) with fewer than 5 installations not shown, so no installation can be singled out.");
                }
            });
        });
        return command;
    }
}
