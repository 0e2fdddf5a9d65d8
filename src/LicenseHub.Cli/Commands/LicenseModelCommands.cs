using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>
/// lhctl feature … | plan set-features | price … | revenue | reseller trial-quota (vendor) and lhctl license add-on … (reseller):
/// the license models beyond an edition and a term.
/// </summary>
public static class LicenseModelCommands
{
    public static Command Features(CliContext cli)
    {
        var feature = new Command("feature", "Features of a product that plans include and add-ons sell; products check them in the token (vendor key).");
        var product = new Option<string>("--product") { Description = "Id of the product (see 'lhctl product list').", Required = true, HelpName = "ID" };
        var code = new Option<string>("--code") { Description = "Code the product checks, e.g. 'backups': lower-case letters, digits and dashes.", Required = true };
        var name = new Option<string>("--name") { Description = "Display name, e.g. 'Nightly backups'.", Required = true };
        var create = new Command("create", "Define a feature of a product.") { product, code, name };
        cli.SetCall(create, async (session, parse, ct) =>
        {
            var created = await session.Vendor.CreateFeatureAsync(new CreateFeatureRequest
            {
                ProductId = parse.GetValue(product)!, Code = parse.GetValue(code)!, Name = parse.GetValue(name)!,
            }, cancellationToken: ct);
            session.Printer.Print(created, o => o.WriteLine($"Created feature {created.Code} ({created.Name}).\n  id: {created.Id}"));
        });
        feature.Add(create);

        var of = new Option<string?>("--product") { Description = "Only the features of this product id.", HelpName = "ID" };
        var list = new Command("list", "List features.") { of };
        cli.SetCall(list, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListFeaturesAsync(new ListFeaturesRequest { ProductId = parse.GetValue(of) ?? "" }, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                if (response.Features.Count == 0)
                {
                    o.WriteLine("No features.");
                    return;
                }
                var table = new Table("ID", "PRODUCT", "CODE", "NAME");
                foreach (var f in response.Features)
                {
                    table.Add(f.Id, f.ProductId, f.Code, f.Name);
                }
                table.WriteTo(o);
            });
        });
        feature.Add(list);
        return feature;
    }

    /// <summary>--feature CODE (repeatable): included in every license of the plan.</summary>
    public static Option<string[]> FeatureOption() => new("--feature")
    {
        Description = "A feature every license of the plan has (see 'lhctl feature list'); repeat for more.", HelpName = "CODE",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>--add-on CODE=PRICE (repeatable): sold per license on top of the plan.</summary>
    public static Option<string[]> AddOnOption() => new("--add-on")
    {
        Description = "A feature sold per license on top of the plan, at a price per term in the plan's currency: CODE=PRICE, e.g. wordpress=2.50; repeat for more.",
        HelpName = "CODE=PRICE",
    };

    /// <summary>Fills the features and add-ons of a plan request from the options; refused before any call when malformed.</summary>
    public static void AddFeatures(ParseResult parse, Option<string[]> features, Option<string[]> addOns, string currency,
        Google.Protobuf.Collections.RepeatedField<string> included, Google.Protobuf.Collections.RepeatedField<AddOnOffer> offers)
    {
        included.Add(parse.GetValue(features) ?? []);
        foreach (var text in parse.GetValue(addOns) ?? [])
        {
            var parts = text.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                throw new UsageException($"--add-on takes CODE=PRICE, e.g. wordpress=2.50 (got '{text}').");
            }
            var price = PlanCommands.ParsePrice(parts[1].Trim(), currency, "--add-on price");
            offers.Add(new AddOnOffer { FeatureCode = parts[0].Trim(), Price = new Money { AmountMinor = price.AmountMinor, Currency = price.Currency } });
        }
    }

    public static Command SetPlanFeatures(CliContext cli)
    {
        var plan = new Option<string>("--plan") { Description = "Id of the plan (see 'lhctl plan list').", Required = true, HelpName = "ID" };
        var features = FeatureOption();
        var addOns = AddOnOption();
        var currency = new Option<string?>("--currency") { Description = "Currency of the add-on prices: the plan's (default EUR).", HelpName = "CODE" };
        var command = new Command("set-features",
            "Replace what a plan includes and which add-ons it sells. Its licenses grant the new features from their next check-in; "
            + "add-ons already bought stay until each license's next renewal.") { plan, features, addOns, currency };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new SetPlanFeaturesRequest { PlanId = parse.GetValue(plan)! };
            AddFeatures(parse, features, addOns, parse.GetValue(currency) ?? "EUR", request.Features, request.AddOns);
            var changed = await session.Vendor.SetPlanFeaturesAsync(request, cancellationToken: ct);
            session.Printer.Print(changed, o => o.WriteLine($"Plan {changed.Code}: includes {List(changed.Features)}; add-ons {AddOnList(changed.AddOns)}."));
        });
        return command;
    }

    public static Command Prices(CliContext cli)
    {
        var price = new Command("price", "Per-reseller price lists: an explicit price per plan, or a discount per plan or for every plan (vendor key).");
        var reseller = new Option<string>("--reseller") { Description = "Id of the reseller.", Required = true, HelpName = "ID" };
        var plan = new Option<string?>("--plan") { Description = "Id of the plan; omitted: every plan (a discount only).", HelpName = "ID" };
        var amount = new Option<string?>("--price") { Description = "The reseller's price of one license for a first term, in the plan's currency.", HelpName = "AMOUNT" };
        var renewal = new Option<string?>("--renewal-price") { Description = "With --price: the reseller's price of one more term (default: --price).", HelpName = "AMOUNT" };
        var currency = new Option<string?>("--currency") { Description = "With --price: the plan's currency (default EUR).", HelpName = "CODE" };
        var discount = new Option<string?>("--discount")
        {
            Description = "A discount in percent off the list prices (plan, renewal, add-ons), above 0 and at most 100, up to two decimals, e.g. 12.5. "
                + "Each unit price is rounded half away from zero to the cent.",
            HelpName = "PERCENT",
        };
        var set = new Command("set", "Set one line of a reseller's price list (replaces the line there was).") { reseller, plan, amount, renewal, currency, discount };
        cli.SetCall(set, async (session, parse, ct) =>
        {
            if (parse.GetValue(amount) is null == parse.GetValue(discount) is null)
            {
                throw new UsageException("give either --price or --discount.");
            }
            var request = new SetResellerPriceRequest { ResellerId = parse.GetValue(reseller)!, PlanId = parse.GetValue(plan) ?? "" };
            var code = parse.GetValue(currency) ?? "EUR";
            if (parse.GetValue(amount) is { } text)
            {
                var money = PlanCommands.ParsePrice(text, code);
                request.Price = new Money { AmountMinor = money.AmountMinor, Currency = money.Currency };
                if (parse.GetValue(renewal) is { } renewalText)
                {
                    var r = PlanCommands.ParsePrice(renewalText, code, "--renewal-price");
                    request.RenewalPrice = new Money { AmountMinor = r.AmountMinor, Currency = r.Currency };
                }
            }
            else
            {
                request.DiscountPercent = parse.GetValue(discount)!.TrimEnd('%');
            }
            var line = await session.Vendor.SetResellerPriceAsync(request, cancellationToken: ct);
            session.Printer.Print(line, o => o.WriteLine($"Price for {(line.PlanCode.Length > 0 ? "plan " + line.PlanCode : "every plan")}: {Describe(line)}."));
        });
        price.Add(set);

        var listReseller = new Option<string>("--reseller") { Description = "Id of the reseller.", Required = true, HelpName = "ID" };
        var list = new Command("list", "Show a reseller's price list.") { listReseller };
        cli.SetCall(list, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListResellerPricesAsync(new ListResellerPricesRequest { ResellerId = parse.GetValue(listReseller)! },
                cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                if (response.Prices.Count == 0)
                {
                    o.WriteLine("No prices of its own: this reseller pays list prices.");
                    return;
                }
                var table = new Table("PLAN", "PRICE", "UPDATED");
                foreach (var line in response.Prices)
                {
                    table.Add(line.PlanCode.Length > 0 ? line.PlanCode : "(every plan)", Describe(line), Display.Time(line.UpdatedAt));
                }
                table.WriteTo(o);
            });
        });
        price.Add(list);

        var removeReseller = new Option<string>("--reseller") { Description = "Id of the reseller.", Required = true, HelpName = "ID" };
        var removePlan = new Option<string?>("--plan") { Description = "Id of the plan; omitted: the line for every plan.", HelpName = "ID" };
        var remove = new Command("remove", "Remove a line of a reseller's price list: list price again.") { removeReseller, removePlan };
        cli.SetCall(remove, async (session, parse, ct) =>
        {
            var response = await session.Vendor.RemoveResellerPriceAsync(new RemoveResellerPriceRequest
            {
                ResellerId = parse.GetValue(removeReseller)!, PlanId = parse.GetValue(removePlan) ?? "",
            }, cancellationToken: ct);
            session.Printer.Print(response, o => o.WriteLine("Removed; list prices apply."));
        });
        price.Add(remove);
        return price;
    }

    public static Command Revenue(CliContext cli)
    {
        var from = new Option<string?>("--from") { Description = "From this date or time (inclusive, UTC), e.g. 2027-01-01.", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "Until this date or time (exclusive, UTC).", HelpName = "DATE" };
        var command = new Command("revenue", "What each reseller was charged, per currency (vendor key).") { from, to };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new GetRevenueRequest();
            if (parse.GetValue(from) is { } f)
            {
                request.From = Instant(f, "--from");
            }
            if (parse.GetValue(to) is { } t)
            {
                request.To = Instant(t, "--to");
            }
            var response = await session.Vendor.GetRevenueAsync(request, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                if (response.Lines.Count == 0)
                {
                    o.WriteLine("No orders in this period.");
                    return;
                }
                var table = new Table("RESELLER", "COMPANY", "ORDERS", "AMOUNT");
                foreach (var line in response.Lines)
                {
                    table.Add(line.ResellerId, line.CompanyName, line.Orders.ToString(CultureInfo.InvariantCulture), Display.Amount(line.Amount));
                }
                table.WriteTo(o);
            });
        });
        return command;
    }

    public static Command TrialQuota(CliContext cli)
    {
        var reseller = new Option<string>("--reseller") { Description = "Id of the reseller.", Required = true, HelpName = "ID" };
        var perMonth = new Option<int>("--per-month") { Description = "Trial licenses the reseller may take per calendar month (UTC), 0..10000.", Required = true, HelpName = "N" };
        var command = new Command("trial-quota", "Set how many free trial licenses a reseller may take per month (vendor key).") { reseller, perMonth };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var updated = await session.Vendor.SetTrialQuotaAsync(new SetTrialQuotaRequest
            {
                ResellerId = parse.GetValue(reseller)!, TrialsPerMonth = parse.GetValue(perMonth),
            }, cancellationToken: ct);
            session.Printer.Print(updated, o => o.WriteLine($"{updated.CompanyName} may take {updated.TrialsPerMonth} trial license(s) per month."));
        });
        return command;
    }

    public static Command AddOns(CliContext cli)
    {
        var addOn = new Command("add-on", "Buy or remove features sold per license on top of its plan (reseller key).");
        var ids = new Argument<string[]>("id") { Description = "Ids of the licenses (1..10000, all of one plan).", Arity = ArgumentArity.OneOrMore };
        var feature = new Option<string>("--feature") { Description = "Code of the add-on (see 'lhctl plans').", Required = true, HelpName = "CODE" };
        var key = LicenseOrderCommands.IdempotencyKey("add-on order");
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what it would cost; buy nothing." };
        var buy = new Command("buy",
            "Buy an add-on for licenses: an order for its price prorated over each license's paid time left; renewed with the license from then on.")
        { ids, feature, key, dryRun };
        cli.SetCall(buy, async (session, parse, ct) =>
        {
            var request = new BuyAddOnRequest { LicenseIds = { parse.GetValue(ids)! }, FeatureCode = parse.GetValue(feature)! };
            request.IdempotencyKey = LicenseOrderCommands.Key(session, parse, key, "add-on order");
            request.ValidateOnly = parse.GetValue(dryRun);
            var response = await session.Reseller.BuyAddOnAsync(request, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                o.WriteLine(request.ValidateOnly
                    ? $"Would charge {Display.Amount(response.Order.Amount)} for {response.Order.FeatureCode} on {response.Order.Quantity} license(s); nothing bought."
                    : response.Replayed
                        ? $"Already bought by order {response.Order.Id}; nothing was charged twice."
                        : $"Bought {response.Order.FeatureCode} for {response.Order.Quantity} license(s): {Display.Amount(response.Order.Amount)} charged.\n  order: {response.Order.Id}");
            });
        });
        addOn.Add(buy);

        var license = new Argument<string>("id") { Description = "Id of the license." };
        var removeFeature = new Option<string>("--feature") { Description = "Code of the add-on.", Required = true, HelpName = "CODE" };
        var remove = new Command("remove", "Stop an add-on: the license keeps it until its next renewal (it is paid until then), which drops it.")
        { license, removeFeature };
        cli.SetCall(remove, async (session, parse, ct) =>
        {
            var updated = await session.Reseller.RemoveAddOnAsync(new RemoveAddOnRequest
            {
                LicenseId = parse.GetValue(license)!, FeatureCode = parse.GetValue(removeFeature)!,
            }, cancellationToken: ct);
            session.Printer.Print(updated, o => o.WriteLine($"License {updated.Id} keeps {parse.GetValue(removeFeature)} until its next renewal, which drops it."));
        });
        addOn.Add(remove);
        return addOn;
    }

    public static string List(IEnumerable<string> codes) => codes.Any() ? string.Join(", ", codes) : "-";

    public static string AddOnList(IEnumerable<AddOnOffer> offers) =>
        offers.Any() ? string.Join(", ", offers.Select(a => $"{a.FeatureCode} {Display.Amount(a.Price)}")) : "-";

    private static string Describe(ResellerPriceLine line) => line.DiscountPercent.Length > 0
        ? $"{line.DiscountPercent} % off list prices"
        : $"{Display.Amount(line.Price)}, renews at {Display.Amount(line.RenewalPrice)}";

    private static Timestamp Instant(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? Timestamp.FromDateTimeOffset(value)
            : throw new UsageException($"{option} must be a date or time in ISO 8601 form, e.g. 2027-01-31 (got '{text}').");
}
