using System.CommandLine;
using System.Security.Cryptography;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl order …  (reseller)</summary>
public static class OrderCommands
{
    public static Command Create(CliContext cli)
    {
        var order = new Command("order", "Buy licenses in bulk into your pool for a plan (reseller key).");
        order.Add(CreateOrder(cli));
        order.Add(ListOrders(cli));
        return order;
    }

    private static Command CreateOrder(CliContext cli)
    {
        var plan = new Option<string>("--plan") { Description = "Id of the plan to buy (see 'lhctl plans').", Required = true, HelpName = "ID" };
        var quantity = new Option<int>("--quantity") { Description = "How many licenses to buy, 1..100000.", Required = true, HelpName = "N" };
        var idempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "Makes a retry safe: the same key returns the same order instead of buying twice. "
                + "8..64 characters of letters, digits and . _ : -. Generated and printed when omitted.",
            HelpName = "KEY",
        };
        var command = new Command("create", "Buy licenses; they go into your pool for the plan.") { plan, quantity, idempotencyKey };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var key = parse.GetValue(idempotencyKey);
            if (string.IsNullOrWhiteSpace(key))
            {
                key = "lhctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                // Printed before the call: if the answer is lost, the same key makes the retry harmless.
                session.Printer.Notice($"Idempotency key: {key}  (to retry this order safely, add --idempotency-key {key})");
            }
            var response = await session.Reseller.CreateOrderAsync(new CreateOrderRequest
            {
                PlanId = parse.GetValue(plan)!,
                Quantity = parse.GetValue(quantity),
                IdempotencyKey = key,
            }, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                var order = response.Order;
                o.WriteLine(response.Replayed
                    ? $"This idempotency key was already used: order {order.Id} was placed earlier; nothing new was bought."
                    : $"Ordered {order.Quantity} license(s) for {Display.Amount(order.Amount)}.");
                o.WriteLine($"  order: {order.Id}");
                o.WriteLine($"  pool:  {response.Pool.Id} (purchased {response.Pool.Purchased}, assigned {response.Pool.Assigned}, "
                    + $"available {response.Pool.Available})");
                o.WriteLine($"Next: lhctl license assign --pool {response.Pool.Id} --count 1");
            });
        });
        return command;
    }

    private static Command ListOrders(CliContext cli)
    {
        var command = new Command("list", "List your orders, newest first.");
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            await paging.PrintAsync(session.Printer, parse, page =>
                session.Reseller.ListOrdersAsync(new ListOrdersRequest { Page = page }, cancellationToken: ct).ResponseAsync,
                (o, response) => WriteOrders(o, response.Orders, withReseller: false));
        });
        return command;
    }

    public static void WriteOrders(TextWriter o, IReadOnlyCollection<Order> orders, bool withReseller)
    {
        if (orders.Count == 0)
        {
            o.WriteLine("No orders.");
            return;
        }
        var table = withReseller
            ? new Table("ID", "RESELLER", "PLAN", "QUANTITY", "AMOUNT", "POOL", "CREATED")
            : new Table("ID", "PLAN", "QUANTITY", "AMOUNT", "POOL", "CREATED");
        foreach (var order in orders)
        {
            if (withReseller)
            {
                table.Add(order.Id, order.ResellerId, order.PlanId, order.Quantity.ToString(), Display.Amount(order.Amount), order.PoolId,
                    Display.Time(order.CreatedAt));
            }
            else
            {
                table.Add(order.Id, order.PlanId, order.Quantity.ToString(), Display.Amount(order.Amount), order.PoolId,
                    Display.Time(order.CreatedAt));
            }
        }
        table.WriteTo(o);
    }
}
