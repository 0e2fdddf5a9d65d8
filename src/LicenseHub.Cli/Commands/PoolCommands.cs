using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl pool …  (reseller)</summary>
public static class PoolCommands
{
    public static Command Create(CliContext cli)
    {
        var pool = new Command("pool", "Your pools: licenses bought per plan, assigned and still available (reseller key).");
        pool.Add(ListPools(cli));
        pool.Add(GetPool(cli));
        return pool;
    }

    private static Command ListPools(CliContext cli)
    {
        var command = new Command("list", "List your pools.");
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var plans = await PlanCodes.ForResellerAsync(session, ct);
            await paging.PrintAsync(session.Printer, parse, page =>
                session.Reseller.ListPoolsAsync(new ListPoolsRequest { Page = page }, cancellationToken: ct).ResponseAsync,
                (o, response) => WritePools(o, response.Pools, withReseller: false, plans));
        });
        return command;
    }

    private static Command GetPool(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the pool." };
        var command = new Command("get", "Show one pool.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var pool = await session.Reseller.GetPoolAsync(new GetPoolRequest { PoolId = parse.GetValue(id)! }, cancellationToken: ct);
            var plans = await PlanCodes.ForResellerAsync(session, ct);
            session.Printer.Print(pool, o => WritePools(o, [pool], withReseller: false, plans));
        });
        return command;
    }

    public static void WritePools(TextWriter o, IReadOnlyCollection<Pool> pools, bool withReseller, PlanCodes plans)
    {
        if (pools.Count == 0)
        {
            o.WriteLine("No pools. Buy licenses with 'lhctl order create --plan ID --quantity N'.");
            return;
        }
        var table = withReseller
            ? new Table("ID", "RESELLER", "PLAN", "PURCHASED", "ASSIGNED", "AVAILABLE")
            : new Table("ID", "PLAN", "PURCHASED", "ASSIGNED", "AVAILABLE");
        foreach (var p in pools)
        {
            if (withReseller)
            {
                table.Add(p.Id, p.ResellerId, plans.Of(p.PlanId), p.Purchased.ToString(), p.Assigned.ToString(), p.Available.ToString());
            }
            else
            {
                table.Add(p.Id, plans.Of(p.PlanId), p.Purchased.ToString(), p.Assigned.ToString(), p.Available.ToString());
            }
        }
        table.WriteTo(o);
    }
}
