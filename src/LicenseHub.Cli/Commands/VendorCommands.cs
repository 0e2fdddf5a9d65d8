using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl vendor …  : the vendor's oversight of every reseller's orders and pools.</summary>
public static class VendorCommands
{
    public static Command Create(CliContext cli)
    {
        var vendor = new Command("vendor", "Oversight across resellers (vendor admin key).");
        vendor.Add(Orders(cli));
        vendor.Add(Pools(cli));
        return vendor;
    }

    private static Command Orders(CliContext cli)
    {
        var reseller = new Option<string?>("--reseller") { Description = "Only the orders of this reseller id.", HelpName = "ID" };
        var csv = OrderCommands.CsvOption();
        var command = new Command("orders", "List orders of all resellers, newest first: purchases, renewals, upgrades and returns.") { reseller, csv };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            if (parse.GetValue(csv))
            {
                var plans = (await session.Vendor.ListPlansAsync(new ListPlansRequest(), cancellationToken: ct)).Plans;
                await OrderCommands.WriteCsvAsync(session.Printer.Out, plans, withReseller: true, token => session.Vendor.ListOrdersAsync(
                    new VendorListOrdersRequest { ResellerId = parse.GetValue(reseller) ?? "", Page = new PageRequest { PageSize = 500, PageToken = token } },
                    cancellationToken: ct).ResponseAsync);
                return;
            }
            var codes = await PlanCodes.ForVendorAsync(session, ct);
            await paging.PrintAsync(session.Printer, parse, page => session.Vendor.ListOrdersAsync(
                new VendorListOrdersRequest { ResellerId = parse.GetValue(reseller) ?? "", Page = page }, cancellationToken: ct).ResponseAsync,
                (o, response) => OrderCommands.WriteOrders(o, response.Orders, withReseller: true, codes));
        });
        return command;
    }

    private static Command Pools(CliContext cli)
    {
        var reseller = new Option<string?>("--reseller") { Description = "Only the pools of this reseller id.", HelpName = "ID" };
        var command = new Command("pools", "List pools of all resellers.") { reseller };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var codes = await PlanCodes.ForVendorAsync(session, ct);
            await paging.PrintAsync(session.Printer, parse, page => session.Vendor.ListPoolsAsync(
                new VendorListPoolsRequest { ResellerId = parse.GetValue(reseller) ?? "", Page = page }, cancellationToken: ct).ResponseAsync,
                (o, response) => PoolCommands.WritePools(o, response.Pools, withReseller: true, codes));
        });
        return command;
    }
}
