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
        var csv = CsvOption();
        var command = new Command("list", "List your orders, newest first: purchases, renewals, upgrades and returns, with what each covered.") { csv };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            if (parse.GetValue(csv))
            {
                var plans = (await session.Reseller.ListPlansAsync(new ResellerListPlansRequest(), cancellationToken: ct)).Plans;
                await WriteCsvAsync(session.Printer.Out, plans, withReseller: false, token =>
                    session.Reseller.ListOrdersAsync(new ListOrdersRequest { Page = new PageRequest { PageSize = 500, PageToken = token } },
                        cancellationToken: ct).ResponseAsync);
                return;
            }
            var codes = await PlanCodes.ForResellerAsync(session, ct);
            await paging.PrintAsync(session.Printer, parse, page =>
                session.Reseller.ListOrdersAsync(new ListOrdersRequest { Page = page }, cancellationToken: ct).ResponseAsync,
                (o, response) => WriteOrders(o, response.Orders, withReseller: false, codes));
        });
        return command;
    }

    public static Option<bool> CsvOption() => new("--csv")
    {
        Description = "Print every order (all pages) as CSV for reconciliation: kind, plan, licenses, terms, amount as the currency writes it, "
            + "currency, exact minor units, your idempotency key, pool and the licenses covered. Redirect it to a file.",
    };

    /// <summary>Every page of orders, as the reconciliation CSV the portal downloads too (Domain.Pools.OrderCsv).</summary>
    public static async Task WriteCsvAsync(TextWriter o, IEnumerable<Plan> plans, bool withReseller, Func<string, Task<ListOrdersResponse>> page)
    {
        var codes = plans.ToDictionary(p => p.Id, p => p.Code);
        o.Write(Domain.Pools.OrderCsv.Header(withReseller));
        var token = "";
        var seen = new HashSet<string>();
        do
        {
            var response = await page(token);
            foreach (var order in response.Orders)
            {
                o.Write(Domain.Pools.OrderCsv.Row(ToCsv(order, codes), withReseller));
            }
            token = response.NextPageToken;
        } while (token.Length > 0 && seen.Add(token));
    }

    private static Domain.Pools.OrderCsvRow ToCsv(Order order, IReadOnlyDictionary<string, string> codes) => new(
        Guid.Parse(order.Id),
        order.CreatedAt.ToDateTimeOffset(),
        order.Kind switch
        {
            OrderKind.Renewal => Domain.Pools.OrderKind.Renewal,
            OrderKind.Upgrade => Domain.Pools.OrderKind.Upgrade,
            OrderKind.Return => Domain.Pools.OrderKind.Return,
            _ => Domain.Pools.OrderKind.Purchase,
        },
        Guid.TryParse(order.ResellerId, out var reseller) ? reseller : Guid.Empty,
        Guid.Parse(order.PlanId),
        codes.GetValueOrDefault(order.PlanId),
        Guid.TryParse(order.FromPlanId, out var from) ? from : null,
        codes.GetValueOrDefault(order.FromPlanId),
        order.Quantity,
        order.Terms,
        new Domain.Pricing.Money(order.Amount.AmountMinor, order.Amount.Currency),
        order.IdempotencyKey,
        Guid.TryParse(order.PoolId, out var pool) ? pool : null,
        order.LicenseIds.Select(Guid.Parse).ToList());

    public static void WriteOrders(TextWriter o, IReadOnlyCollection<Order> orders, bool withReseller, PlanCodes plans)
    {
        if (orders.Count == 0)
        {
            o.WriteLine("No orders.");
            return;
        }
        var table = withReseller
            ? new Table("ID", "RESELLER", "KIND", "PLAN", "COVERED", "AMOUNT", "KEY", "CREATED")
            : new Table("ID", "KIND", "PLAN", "COVERED", "AMOUNT", "KEY", "CREATED");
        foreach (var order in orders)
        {
            string?[] cells = [order.Id, Display.Kind(order.Kind), plans.Of(order.PlanId), Covered(order), Display.Amount(order.Amount), order.IdempotencyKey,
                Display.Time(order.CreatedAt)];
            table.Add(withReseller ? [cells[0], order.ResellerId, .. cells[1..]] : cells);
        }
        table.WriteTo(o);
    }

    /// <summary>What an order covered, in a few words.</summary>
    public static string Covered(Order order) => order.Kind switch
    {
        OrderKind.Renewal => $"{order.Terms} term(s) x {order.Quantity} license(s)" + (order.LicenseIds.Count == 1 ? $" ({order.LicenseIds[0]})" : ""),
        OrderKind.Upgrade => $"{order.Quantity} license(s) from plan {order.FromPlanId}" + (order.LicenseIds.Count == 1 ? $" ({order.LicenseIds[0]})" : ""),
        OrderKind.Return => $"license {string.Join(" ", order.LicenseIds)} back to pool {order.PoolId}",
        _ => $"{order.Quantity} license(s) into pool {order.PoolId}",
    };
}
