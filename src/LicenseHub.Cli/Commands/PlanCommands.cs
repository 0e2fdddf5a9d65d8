using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl plan …  (vendor) and lhctl plans (reseller)</summary>
public static class PlanCommands
{
    public static Command Create(CliContext cli)
    {
        var plan = new Command("plan", "Plans of a product: edition, term, machines per license, price (vendor key).");
        plan.Add(CreatePlan(cli));
        plan.Add(ListPlans(cli));
        plan.Add(LicenseModelCommands.SetPlanFeatures(cli));
        plan.Add(UpdatePlan(cli));
        return plan;
    }

    /// <summary>The reseller's view: which plans it can buy.</summary>
    public static Command CreateResellerPlans(CliContext cli)
    {
        var command = new Command("plans", "List the plans you can buy (reseller key).");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Reseller.ListPlansAsync(new ResellerListPlansRequest(), cancellationToken: ct);
            session.Printer.Print(response, o => WritePlans(o, response.Plans));
        });
        return command;
    }

    private static Command CreatePlan(CliContext cli)
    {
        var product = new Option<string>("--product") { Description = "Id of the product (see 'lhctl product list').", Required = true, HelpName = "ID" };
        var code = new Option<string>("--code") { Description = "Short identifier within the product, e.g. 'pro-1y'.", Required = true };
        var edition = new Option<string>("--edition") { Description = "Edition the license unlocks, e.g. 'pro'.", Required = true };
        var termDays = new Option<int>("--term-days") { Description = "How long a license runs before it must be renewed, in days.", Required = true, HelpName = "DAYS" };
        var maxMachines = new Option<int>("--max-machines") { Description = "How many servers may use one license at once.", Required = true, HelpName = "N" };
        var graceDays = new Option<int>("--offline-grace-days") { Description = "How long the agent keeps working without reaching the server (default 0).", HelpName = "DAYS" };
        var priceText = new Option<string>("--price") { Description = "Price of one license with as many decimals as the currency has: 19.99 EUR, 1500 JPY, 1.250 BHD (dot as decimal separator).", Required = true, HelpName = "AMOUNT" };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 currency code, e.g. EUR.", Required = true, HelpName = "CODE" };
        var transferBudget = new Option<int>("--transfer-budget") { Description = "How often a license may be moved to another server (default 0).", HelpName = "N" };
        var renewalText = new Option<string?>("--renewal-price")
        {
            Description = "Price of one more term of one license, in the same currency (default: --price).", HelpName = "AMOUNT",
        };
        var returnWindow = new Option<int?>("--return-window-days")
        {
            Description = "Days after assignment in which a license never activated may be returned to its pool, 0..90 (default 14).", HelpName = "DAYS",
        };
        var transfersRenewal = new Option<string?>("--transfers-on-renewal")
        {
            Description = "'restore': each renewal gives a license its whole transfer budget back (default); 'keep': never, only the vendor can.",
            HelpName = "restore|keep",
        };
        transfersRenewal.AcceptOnlyFromAmong("restore", "keep");
        var features = LicenseModelCommands.FeatureOption();
        var addOns = LicenseModelCommands.AddOnOption();
        var trial = new Option<bool>("--trial") { Description = "A free trial: --price 0, --term-days at most 30, not renewable; 'lhctl license change-plan' converts it to a paid plan." };
        var perpetual = new Option<bool>("--perpetual") { Description = "Licenses never expire; --term-days is the maintenance term that a purchase and each renewal buy." };
        var command = new Command("create", "Create a plan for a product.")
        {
            product, code, edition, termDays, maxMachines, graceDays, priceText, currency, transferBudget, transfersRenewal, renewalText, returnWindow,
            features, addOns, trial, perpetual,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var price = ParsePrice(parse.GetValue(priceText)!, parse.GetValue(currency)!);
            var request = new CreatePlanRequest
            {
                ProductId = parse.GetValue(product)!,
                Code = parse.GetValue(code)!,
                Edition = parse.GetValue(edition)!,
                TermDays = parse.GetValue(termDays),
                MaxMachines = parse.GetValue(maxMachines),
                OfflineGraceDays = parse.GetValue(graceDays),
                Price = new Money { AmountMinor = price.AmountMinor, Currency = price.Currency },
                TransferBudget = parse.GetValue(transferBudget),
                Trial = parse.GetValue(trial),
                Perpetual = parse.GetValue(perpetual),
            };
            LicenseModelCommands.AddFeatures(parse, features, addOns, price.Currency, request.Features, request.AddOns);
            if (parse.GetValue(renewalText) is { } renewalPrice)
            {
                var renewal = ParsePrice(renewalPrice, price.Currency, "--renewal-price");
                request.RenewalPrice = new Money { AmountMinor = renewal.AmountMinor, Currency = renewal.Currency };
            }
            if (parse.GetValue(returnWindow) is { } days)
            {
                request.ReturnWindowDays = days;
            }
            if (parse.GetValue(transfersRenewal) is { } restore)
            {
                request.RestoreTransfersOnRenewal = restore == "restore";
            }
            var created = await session.Vendor.CreatePlanAsync(request, cancellationToken: ct);
            session.Printer.Print(created, o =>
            {
                o.WriteLine($"Created plan {created.Code} ({created.Edition}, {created.TermDays} days, "
                    + $"{created.MaxMachines} machine(s), {Display.Amount(created.Price)}, renews at {Display.Amount(created.RenewalPrice)} a term, "
                    + $"returnable for {created.ReturnWindowDays} days while never activated).");
                if (created.Features.Count > 0 || created.AddOns.Count > 0)
                {
                    o.WriteLine($"  features: {LicenseModelCommands.List(created.Features)}; add-ons: {LicenseModelCommands.AddOnList(created.AddOns)}");
                }
                o.WriteLine($"  id: {created.Id}");
            });
        });
        return command;
    }

    private static Command UpdatePlan(CliContext cli)
    {
        var plan = new Option<string>("--plan") { Description = "Id of the plan (see 'lhctl plan list').", Required = true, HelpName = "ID" };
        var priceText = new Option<string?>("--price") { Description = "New price of one license for a first term, in the plan's currency; for orders from now on.", HelpName = "AMOUNT" };
        var renewalText = new Option<string?>("--renewal-price") { Description = "New price of one more term; for renewals from now on.", HelpName = "AMOUNT" };
        var currency = new Option<string?>("--currency") { Description = "The plan's currency, to read the amounts (default EUR).", HelpName = "CODE" };
        var retire = new Option<bool>("--retire") { Description = "Stop selling the plan: no purchase, no move to it; its licenses keep working and renew." };
        var sell = new Option<bool>("--sell-again") { Description = "Sell a retired plan again." };
        var command = new Command("update", "Change a plan's prices for orders from now on, or retire it (vendor key). Nothing already paid changes.")
        {
            plan, priceText, renewalText, currency, retire, sell,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            if (parse.GetValue(retire) && parse.GetValue(sell))
            {
                throw new UsageException("give --retire or --sell-again, not both.");
            }
            var code = parse.GetValue(currency) ?? "EUR";
            var request = new UpdatePlanRequest { PlanId = parse.GetValue(plan)! };
            if (parse.GetValue(priceText) is { } p)
            {
                var price = ParsePrice(p, code);
                request.Price = new Money { AmountMinor = price.AmountMinor, Currency = price.Currency };
            }
            if (parse.GetValue(renewalText) is { } r)
            {
                var renewal = ParsePrice(r, code, "--renewal-price");
                request.RenewalPrice = new Money { AmountMinor = renewal.AmountMinor, Currency = renewal.Currency };
            }
            if (parse.GetValue(retire) || parse.GetValue(sell))
            {
                request.Retired = parse.GetValue(retire);
            }
            var updated = await session.Vendor.UpdatePlanAsync(request, cancellationToken: ct);
            session.Printer.Print(updated, o => o.WriteLine($"Plan {updated.Code}: {Display.Amount(updated.Price)}, renews at {Display.Amount(updated.RenewalPrice)}"
                + (updated.Retired ? "; retired (no longer sold)." : "; sold.")));
        });
        return command;
    }

    /// <summary>Refused here, before any call, with the option's name: exit code 2, not a server error.</summary>
    public static Domain.Pricing.Money ParsePrice(string price, string currency, string option = "--price")
    {
        var code = Domain.Pricing.Currencies.Normalize(currency)
            ?? throw new UsageException($"--currency {Domain.Pricing.Currencies.InvalidCodeMessage} (got '{currency}').");
        return Domain.Pricing.Money.TryParse(price, code, out var money, out var error)
            ? money
            : throw new UsageException($"{option} {error} (got '{price}').");
    }

    private static Command ListPlans(CliContext cli)
    {
        var product = new Option<string?>("--product") { Description = "Only the plans of this product id.", HelpName = "ID" };
        var command = new Command("list", "List plans (vendor key). Resellers use 'lhctl plans'.") { product };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListPlansAsync(new ListPlansRequest { ProductId = parse.GetValue(product) ?? "" },
                cancellationToken: ct);
            session.Printer.Print(response, o => WritePlans(o, response.Plans));
        });
        return command;
    }

    private static void WritePlans(TextWriter o, IReadOnlyCollection<Plan> plans)
    {
        if (plans.Count == 0)
        {
            o.WriteLine("No plans.");
            return;
        }
        var table = new Table("ID", "PRODUCT", "CODE", "EDITION", "TERM", "MACHINES", "GRACE", "TRANSFERS", "RETURN", "PRICE", "RENEWAL", "FEATURES", "ADD-ONS");
        foreach (var p in plans)
        {
            // A trial's term is its length; a perpetual plan's term is maintenance.
            var term = (p.Trial ? $"{p.TermDays}d trial" : p.Perpetual ? $"perpetual, {p.TermDays}d maint." : $"{p.TermDays}d") + (p.Retired ? " (retired)" : "");
            table.Add(p.Id, p.ProductCode, p.Code, p.Edition, term, p.MaxMachines.ToString(),
                $"{p.OfflineGraceDays}d", p.TransferBudget + (p.RestoreTransfersOnRenewal ? "/term" : ""), $"{p.ReturnWindowDays}d", Display.Amount(p.Price), Display.Amount(p.RenewalPrice),
                LicenseModelCommands.List(p.Features), LicenseModelCommands.AddOnList(p.AddOns));
        }
        table.WriteTo(o);
    }
}
