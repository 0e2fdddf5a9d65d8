using System.CommandLine;
using System.Security.Cryptography;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>
/// lhctl license renew | change-plan | reissue-key | return: changes that cost money or cannot be undone. Each asks
/// the server first what it would do (validate_only: the price, the new expiry), prints that, and goes ahead only
/// when confirmed (y on standard input, or --yes). One idempotency key serves the preview and the order, so a
/// retry after a lost answer never charges twice.
/// </summary>
public static class LicenseOrderCommands
{
    public static Command Renew(CliContext cli)
    {
        var ids = LicenseIds("renew");
        var terms = new Option<int>("--terms")
        {
            Description = $"How many terms of the plan to add to each license, 1..10 (default 1). Counted from the later of today and the "
                + "current expiry; a license can be paid at most 10 terms ahead.",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        var (key, yes, dryRun) = OrderOptions("renewal");
        var command = new Command("renew",
            "Renew licenses of one plan: an order for the plan's renewal price x licenses x terms. Shows the price and the new expiry "
            + "first and asks to confirm.") { ids, terms, key, yes, dryRun };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new RenewLicensesRequest { LicenseIds = { parse.GetValue(ids)! }, Terms = parse.GetValue(terms) };
            request.IdempotencyKey = Key(session, parse, key, "renew");
            var quote = await session.Reseller.RenewLicensesAsync(new RenewLicensesRequest(request) { ValidateOnly = true }, cancellationToken: ct);
            if (quote.Replayed)
            {
                session.Printer.Print(quote, o => o.WriteLine(
                    $"This idempotency key already renewed: order {quote.Order.Id}, {Display.Amount(quote.Order.Amount)}; nothing new is charged."));
                return ExitCodes.Ok;
            }
            var perTerm = new Money { AmountMinor = quote.Order.Amount.AmountMinor / Math.Max(1, quote.Order.Quantity * quote.Order.Terms), Currency = quote.Order.Amount.Currency };
            if (!Confirm(cli, session, parse, yes, dryRun, quote, o =>
                {
                    o.WriteLine($"Renewal of {quote.Order.Quantity} license(s) for {quote.Order.Terms} term(s): {Display.Amount(quote.Order.Amount)} "
                        + $"({Display.Amount(perTerm)} per license and term), charged as an order.");
                    WriteExpiries(o, quote.Licenses, "expires");
                }, "Renew and charge " + Display.Amount(quote.Order.Amount), "Nothing was renewed or charged."))
            {
                return parse.GetValue(dryRun) ? ExitCodes.Ok : ExitCodes.NotConfirmed;
            }
            var renewed = await session.Reseller.RenewLicensesAsync(request, cancellationToken: ct);
            session.Printer.Print(renewed, o =>
            {
                o.WriteLine(renewed.Replayed
                    ? $"Already renewed by order {renewed.Order.Id}; nothing was charged twice."
                    : $"Renewed {renewed.Order.Quantity} license(s) for {renewed.Order.Terms} term(s): {Display.Amount(renewed.Order.Amount)} charged.");
                o.WriteLine($"  order: {renewed.Order.Id}");
                WriteExpiries(o, renewed.Licenses, "expires");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command ChangePlan(CliContext cli)
    {
        var ids = LicenseIds("move");
        var plan = new Option<string>("--plan")
        {
            Description = "Id of the plan to move to, of the same product (see 'lhctl plans'). The licenses' own plan cancels a scheduled downgrade.",
            Required = true,
            HelpName = "ID",
        };
        var (key, yes, dryRun) = OrderOptions("upgrade");
        var command = new Command("change-plan",
            "Move licenses of one plan to another plan of their product. A dearer plan applies now, as an order for the difference "
            + "prorated over each license's remaining time; a cheaper one applies at the next renewal and charges nothing. Shows "
            + "which, and the price, first and asks to confirm.") { ids, plan, key, yes, dryRun };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new ChangePlanRequest { LicenseIds = { parse.GetValue(ids)! }, TargetPlanId = parse.GetValue(plan)! };
            request.IdempotencyKey = Key(session, parse, key, "change-plan");
            var quote = await session.Reseller.ChangePlanAsync(new ChangePlanRequest(request) { ValidateOnly = true }, cancellationToken: ct);
            if (quote.Replayed)
            {
                session.Printer.Print(quote, o => o.WriteLine(
                    $"This idempotency key already upgraded: order {quote.Order.Id}, {Display.Amount(quote.Order.Amount)}; nothing new is charged."));
                return ExitCodes.Ok;
            }
            var question = quote.Order is { } order ? "Upgrade and charge " + Display.Amount(order.Amount) : quote.Scheduled ? "Schedule the change" : "Cancel the scheduled change";
            if (!Confirm(cli, session, parse, yes, dryRun, quote, o =>
                {
                    var count = quote.Licenses.Count;
                    if (quote.Order is { } upgrade)
                    {
                        o.WriteLine($"Upgrade of {count} license(s) to plan {upgrade.PlanId} now: {Display.Amount(upgrade.Amount)}, the difference "
                            + "for the time they have left (their expiry stays), charged as an order.");
                    }
                    else if (quote.Scheduled)
                    {
                        o.WriteLine($"Downgrade of {count} license(s) to plan {request.TargetPlanId} at their next renewal, which is then priced at "
                            + "that plan. Nothing is charged now.");
                    }
                    else
                    {
                        o.WriteLine($"The {count} license(s) keep their plan; a scheduled change is cancelled. Nothing is charged.");
                    }
                }, question, "Nothing was changed or charged."))
            {
                return parse.GetValue(dryRun) ? ExitCodes.Ok : ExitCodes.NotConfirmed;
            }
            var changed = await session.Reseller.ChangePlanAsync(request, cancellationToken: ct);
            session.Printer.Print(changed, o =>
            {
                o.WriteLine(changed switch
                {
                    { Replayed: true } => $"Already upgraded by order {changed.Order.Id}; nothing was charged twice.",
                    { Order: { } upgrade } => $"Upgraded {changed.Licenses.Count} license(s): {Display.Amount(upgrade.Amount)} charged (order {upgrade.Id}). "
                        + "Their servers get the new plan at the next check-in.",
                    { Scheduled: true } => $"Scheduled: {changed.Licenses.Count} license(s) move to plan {request.TargetPlanId} at their next renewal. Nothing was charged.",
                    _ => "The licenses keep their plan; nothing was charged.",
                });
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command ReissueKey(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license whose key was lost." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("reissue-key",
            "Give a license a new key, for a lost one: the old key stops activating at once; servers already activated keep working. "
            + "The new key is printed once.") { id, yes };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var licenseId = parse.GetValue(id)!;
            if (!parse.GetValue(yes) && !Ask(cli, session, $"License {licenseId} gets a new key; its current key stops activating at once (servers already "
                    + "activated keep working).", "Issue a new key", "The key was not changed."))
            {
                return ExitCodes.NotConfirmed;
            }
            var response = await session.Reseller.ReissueLicenseKeyAsync(new ReissueLicenseKeyRequest { LicenseId = licenseId }, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                o.WriteLine($"License {response.License.Id} has a new key:");
                o.WriteLine(response.LicenseKey);
            });
            session.Printer.Notice("Store this license key now; it will not be shown again (the server keeps only a hash).");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Return(CliContext cli)
    {
        var id = new Argument<string>("id") { Description = "Id of the license, never activated, to give back." };
        var key = IdempotencyKey("return");
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("return",
            "Give a license that was never activated back to its pool, within its plan's return window (default 14 days after assignment): "
            + "the seat can be assigned again, the license is revoked, and an order of kind RETURN records it. Nothing is charged or refunded. "
            + "After an activation or the window, 'lhctl license revoke' is the only way out.") { id, key, yes };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var licenseId = parse.GetValue(id)!;
            var current = (await session.Reseller.GetLicenseAsync(new GetLicenseRequest { LicenseId = licenseId }, cancellationToken: ct)).License;
            if (current.ReturnableUntil is null)
            {
                session.Printer.Notice($"License {current.Id} cannot be returned: it has been activated, changed plan, is revoked, or its return window "
                    + "has ended. 'lhctl license revoke' is the only way out, and it refunds nothing.");
                return ExitCodes.ServerRefused;
            }
            var idempotencyKey = Key(session, parse, key, "return");
            if (!parse.GetValue(yes) && !Ask(cli, session, $"License {current.Id} (never activated) goes back to its pool: its seat can be assigned again, the "
                    + $"license is revoked and its key stops working. Nothing is charged or refunded. Possible until {Display.Time(current.ReturnableUntil)}.",
                    "Return it", "The license was not returned."))
            {
                return ExitCodes.NotConfirmed;
            }
            var returned = await session.Reseller.ReturnLicenseAsync(new ReturnLicenseRequest { LicenseId = licenseId, IdempotencyKey = idempotencyKey },
                cancellationToken: ct);
            session.Printer.Print(returned, o =>
            {
                o.WriteLine(returned.Replayed
                    ? $"Already returned by order {returned.Order.Id}."
                    : $"Returned license {returned.License.Id}: pool {returned.Pool.Id} has {returned.Pool.Available} of {returned.Pool.Purchased} available again.");
                o.WriteLine($"  order: {returned.Order.Id} (return, {Display.Amount(returned.Order.Amount)})");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The idempotency key given, or a new one, printed before any call so that a retry can reuse it.</summary>
    public static string Key(Session session, ParseResult parse, Option<string?> option, string command)
    {
        var key = parse.GetValue(option);
        if (!string.IsNullOrWhiteSpace(key))
        {
            return key.Trim();
        }
        key = "lhctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        session.Printer.Notice($"Idempotency key: {key}  (to retry this {command} safely, add --idempotency-key {key})");
        return key;
    }

    public static Option<string?> IdempotencyKey(string what) => new("--idempotency-key")
    {
        Description = $"Makes a retry safe: the same key returns the same {what} instead of doing it twice; e.g. your invoice number. "
            + "8..64 characters of letters, digits and . _ : -. Generated and printed when omitted.",
        HelpName = "KEY",
    };

    private static Argument<string[]> LicenseIds(string verb) => new("id")
    {
        Description = $"Ids of the licenses to {verb} (1..10000, all of one plan).",
        Arity = ArgumentArity.OneOrMore,
    };

    private static (Option<string?> Key, Option<bool> Yes, Option<bool> DryRun) OrderOptions(string what) =>
    (
        IdempotencyKey(what),
        new Option<bool>("--yes") { Description = "Do not ask for confirmation: place the order at the price the server states." },
        new Option<bool>("--dry-run") { Description = "Only show what it would cost and do (with --json: the server's answer to validate_only); change nothing." }
    );

    /// <summary>Prints the server's preview and asks; false when it is not to go ahead (a dry run, or no yes).</summary>
    private static bool Confirm(CliContext cli, Session session, ParseResult parse, Option<bool> yes, Option<bool> dryRun, Google.Protobuf.IMessage quote,
        Action<TextWriter> preview, string question, string declined)
    {
        if (parse.GetValue(dryRun))
        {
            session.Printer.Print(quote, preview);
            return false;
        }
        if (session.Printer.Json && !parse.GetValue(yes))
        {
            throw new UsageException("--json prints the result for machines and cannot ask: add --yes to confirm, or --dry-run to see the price only.");
        }
        if (!session.Printer.Json)
        {
            preview(session.Printer.Out);
        }
        return parse.GetValue(yes) || Ask(cli, session, null, question, declined);
    }

    /// <summary>Asks on standard error, reads the answer from standard input: only y or yes goes ahead.</summary>
    internal static bool Ask(CliContext cli, Session session, string? what, string question, string declined)
    {
        if (what is not null)
        {
            session.Printer.Out.WriteLine(what);
        }
        session.Printer.Error.Write($"{question}? [y/N] ");
        session.Printer.Error.Flush();
        var answer = cli.Environment.Input.ReadLine()?.Trim().ToLowerInvariant();
        if (answer is "y" or "yes")
        {
            return true;
        }
        session.Printer.Error.WriteLine();
        session.Printer.Error.WriteLine(answer is null
            ? $"lhctl: no answer (standard input is closed); add --yes to confirm without asking. {declined}"
            : declined);
        return false;
    }

    private static void WriteExpiries(TextWriter o, IReadOnlyCollection<License> licenses, string label)
    {
        foreach (var license in licenses.Take(20))
        {
            o.WriteLine(license.Perpetual
                ? $"  {license.Id}  maintenance until {Display.Time(license.MaintenanceUntil)}"
                : $"  {license.Id}  {label} {Display.Time(license.ExpiresAt)}");
        }
        if (licenses.Count > 20)
        {
            o.WriteLine($"  ... and {licenses.Count - 20} more");
        }
    }
}
