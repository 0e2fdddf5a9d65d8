using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl reseller …  (vendor) and lhctl account …  (reseller)</summary>
public static class ResellerCommands
{
    public static Command Create(CliContext cli)
    {
        var reseller = new Command("reseller", "Reseller accounts (vendor key).");
        reseller.Add(CreateReseller(cli));
        reseller.Add(ListResellers(cli));
        reseller.Add(GetReseller(cli));
        reseller.Add(SuspendReseller(cli));
        reseller.Add(ResumeReseller(cli));
        reseller.Add(LicenseModelCommands.TrialQuota(cli));
        return reseller;
    }

    private static Command CreateReseller(CliContext cli)
    {
        var company = new Option<string>("--company") { Description = "Company name of the reseller.", Required = true, HelpName = "NAME" };
        var country = new Option<string>("--country") { Description = "ISO 3166-1 alpha-2 country code, e.g. DE.", Required = true, HelpName = "CC" };
        var vatId = new Option<string?>("--vat-id") { Description = "VAT identification number, e.g. DE123456789.", HelpName = "ID" };
        var contactName = new Option<string>("--contact-name") { Description = "Name of the billing contact.", Required = true, HelpName = "NAME" };
        var contactEmail = new Option<string>("--contact-email") { Description = "E-mail address of the billing contact.", Required = true, HelpName = "EMAIL" };
        var command = new Command("create", "Onboard a reseller; then give it an API key with 'lhctl apikey create'.")
        {
            company, country, vatId, contactName, contactEmail,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var created = await session.Vendor.CreateResellerAsync(new CreateResellerRequest
            {
                CompanyName = parse.GetValue(company)!,
                Country = parse.GetValue(country)!,
                VatId = parse.GetValue(vatId) ?? "",
                BillingContactName = parse.GetValue(contactName)!,
                BillingContactEmail = parse.GetValue(contactEmail)!,
            }, cancellationToken: ct);
            session.Printer.Print(created, o =>
            {
                o.WriteLine($"Created reseller {created.CompanyName} ({created.Country}).");
                o.WriteLine($"  id: {created.Id}");
                o.WriteLine($"Next: lhctl apikey create --reseller {created.Id} --name automation --role owner");
            });
        });
        return command;
    }

    private static Command ListResellers(CliContext cli)
    {
        var status = new Option<string?>("--status") { Description = "Only resellers in this status.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("active", "suspended");
        var command = new Command("list", "List resellers, newest first.") { status };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var filter = parse.GetValue(status) switch
            {
                "active" => ResellerStatus.Active,
                "suspended" => ResellerStatus.Suspended,
                _ => ResellerStatus.Unspecified,
            };
            await paging.PrintAsync(session.Printer, parse, page =>
                session.Vendor.ListResellersAsync(new ListResellersRequest { Page = page, Status = filter }, cancellationToken: ct).ResponseAsync,
                (o, response) =>
                {
                    if (response.Resellers.Count == 0)
                    {
                        o.WriteLine("No resellers.");
                        return;
                    }
                    var table = new Table("ID", "COMPANY", "COUNTRY", "STATUS", "CREATED");
                    foreach (var r in response.Resellers)
                    {
                        table.Add(r.Id, r.CompanyName, r.Country, Display.Status(r.Status), Display.Time(r.CreatedAt));
                    }
                    table.WriteTo(o);
                });
        });
        return command;
    }

    private static Command GetReseller(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the reseller." };
        var command = new Command("get", "Show one reseller, including its billing contact.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var reseller = await session.Vendor.GetResellerAsync(new GetResellerRequest { ResellerId = parse.GetValue(id)! }, cancellationToken: ct);
            session.Printer.Print(reseller, o => WriteReseller(o, reseller));
        });
        return command;
    }

    private static Command SuspendReseller(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the reseller." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail (no personal data).", HelpName = "TEXT" };
        var command = new Command("suspend", "Suspend a reseller: its API keys stop working until it is resumed.") { id, reason };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var reseller = await session.Vendor.SuspendResellerAsync(
                new SuspendResellerRequest { ResellerId = parse.GetValue(id)!, Reason = parse.GetValue(reason) ?? "" }, cancellationToken: ct);
            session.Printer.Print(reseller, o => o.WriteLine($"Reseller {reseller.Id} ({reseller.CompanyName}) is now {Display.Status(reseller.Status)}."));
        });
        return command;
    }

    private static Command ResumeReseller(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the reseller." };
        var command = new Command("resume", "Lift a reseller's suspension.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var reseller = await session.Vendor.ResumeResellerAsync(new ResumeResellerRequest { ResellerId = parse.GetValue(id)! }, cancellationToken: ct);
            session.Printer.Print(reseller, o => o.WriteLine($"Reseller {reseller.Id} ({reseller.CompanyName}) is now {Display.Status(reseller.Status)}."));
        });
        return command;
    }

    public static void WriteReseller(TextWriter o, Reseller r)
    {
        o.WriteLine($"id:             {r.Id}");
        o.WriteLine($"company:        {r.CompanyName}");
        o.WriteLine($"country:        {r.Country}");
        o.WriteLine($"vat id:         {(string.IsNullOrEmpty(r.VatId) ? "-" : r.VatId)}");
        o.WriteLine($"contact:        {r.BillingContactName} <{r.BillingContactEmail}>");
        o.WriteLine($"status:         {Display.Status(r.Status)}");
        o.WriteLine($"created:        {Display.Time(r.CreatedAt)}");
    }
}
