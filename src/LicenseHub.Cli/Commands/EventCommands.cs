using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl event …  and  lhctl webhook …  (the event feed and webhook endpoints)</summary>
public static class EventCommands
{
    public static Command Create(CliContext cli)
    {
        var events = new Command("event",
            "The event feed: every change you can see (orders, licenses, installations, pools), gap-free in commit order. "
            + "Reseller keys read their own; vendor keys everyone's.");
        events.Add(List(cli));
        events.Add(Watch(cli));
        events.Add(Settings(cli));
        return events;
    }

    public static Command CreateWebhooks(CliContext cli)
    {
        var webhooks = new Command("webhook",
            "Webhook endpoints (Standard Webhooks): events POSTed to your billing system, signed, retried for three days (reseller key).");
        webhooks.Add(CreateEndpoint(cli));
        webhooks.Add(ListEndpoints(cli));
        webhooks.Add(DeleteEndpoint(cli));
        webhooks.Add(EnableEndpoint(cli));
        webhooks.Add(Deliveries(cli));
        webhooks.Add(Redeliver(cli));
        return webhooks;
    }

    private static Option<long> AfterOption() => new("--after")
    {
        Description = "Only events after this sequence number (the last one you processed); 0 for the oldest kept.", HelpName = "SEQUENCE",
    };

    private static Option<string[]> TypeOption(string description) => new("--type")
    {
        Description = description, HelpName = "TYPE", AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<string?> ResellerOption() => new("--reseller") { Description = "Vendor keys: only this reseller's events.", HelpName = "ID" };

    private static Command List(CliContext cli)
    {
        var after = AfterOption();
        var types = TypeOption("Only events of this type (repeatable), e.g. license.renewed.");
        var reseller = ResellerOption();
        var limit = new Option<int>("--limit") { Description = "At most this many events, 1..500 (default 100).", HelpName = "N" };
        var command = new Command("list", "List events after a sequence number, oldest first; the last line says where to read on.")
        {
            after, types, reseller, limit,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new ListEventsRequest { After = parse.GetValue(after), PageSize = parse.GetValue(limit), ResellerId = parse.GetValue(reseller) ?? "" };
            request.EventTypes.Add(parse.GetValue(types) ?? []);
            var response = await session.Events.ListEventsAsync(request, cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                WriteEvents(o, response.Events);
                o.WriteLine(response.Events.Count == 0
                    ? $"No events after {request.After}."
                    : $"Read on with --after {response.NextAfter}.");
            });
        });
        return command;
    }

    private static Command Watch(CliContext cli)
    {
        var after = AfterOption();
        var types = TypeOption("Only events of this type (repeatable).");
        var reseller = ResellerOption();
        var command = new Command("watch", "Print events as they happen (after --after first), one line each, until interrupted (Ctrl+C).")
        {
            after, types, reseller,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new WatchEventsRequest { After = parse.GetValue(after), ResellerId = parse.GetValue(reseller) ?? "" };
            request.EventTypes.Add(parse.GetValue(types) ?? []);
            using var call = session.Events.WatchEvents(request, cancellationToken: ct);
            session.Printer.Notice($"Watching events after {request.After}; Ctrl+C to stop.");
            try
            {
                while (await call.ResponseStream.MoveNext(ct))
                {
                    var e = call.ResponseStream.Current;
                    if (session.Printer.Json)
                    {
                        session.Printer.Out.WriteLine(Google.Protobuf.JsonFormatter.Default.Format(e));
                    }
                    else
                    {
                        session.Printer.Out.WriteLine(Line(e));
                    }
                    await session.Printer.Out.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Interrupted.
            }
        });
        return command;
    }

    private static Command Settings(CliContext cli)
    {
        var days = new Option<int?>("--expiry-notice-days") { Description = "Send license.expiring this many days before expiry, 1..90.", HelpName = "N" };
        var threshold = new Option<int?>("--pool-low-threshold")
        {
            Description = "Send pool.low when a pool's available licenses fall below N; 0 for never.", HelpName = "N",
        };
        var command = new Command("settings", "Show your event settings, or change them with the options (owner key).") { days, threshold };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var settings = await session.Events.GetEventSettingsAsync(new GetEventSettingsRequest(), cancellationToken: ct);
            if (parse.GetValue(days) is not null || parse.GetValue(threshold) is not null)
            {
                settings = await session.Events.UpdateEventSettingsAsync(new EventSettings
                {
                    ExpiryNoticeDays = parse.GetValue(days) ?? settings.ExpiryNoticeDays,
                    PoolLowThreshold = parse.GetValue(threshold) ?? settings.PoolLowThreshold,
                }, cancellationToken: ct);
            }
            session.Printer.Print(settings, o =>
            {
                o.WriteLine($"license.expiring: {settings.ExpiryNoticeDays} day(s) before expiry");
                o.WriteLine(settings.PoolLowThreshold == 0 ? "pool.low: off" : $"pool.low: below {settings.PoolLowThreshold} available");
            });
        });
        return command;
    }

    private static Command CreateEndpoint(CliContext cli)
    {
        var url = new Option<string>("--url") { Description = "Where to POST events, e.g. https://billing.example.com/licensehub.", Required = true, HelpName = "URL" };
        var types = TypeOption("Deliver only this event type (repeatable); all types when not given.");
        var description = new Option<string?>("--description") { Description = "Your label for the endpoint (up to 200 characters)." };
        var command = new Command("create", "Register an endpoint. Its signing secret is printed this once: keep it in your billing system.")
        {
            url, types, description,
        };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new CreateWebhookEndpointRequest { Url = parse.GetValue(url)!, Description = parse.GetValue(description) ?? "" };
            request.EventTypes.Add(parse.GetValue(types) ?? []);
            var created = await session.Events.CreateWebhookEndpointAsync(request, cancellationToken: ct);
            session.Printer.Print(created, o =>
            {
                WriteEndpoints(o, [created.Endpoint]);
                o.WriteLine();
                o.WriteLine($"Signing secret (shown only now): {created.Secret}");
                o.WriteLine("Verify each delivery's webhook-signature with it (the Standard Webhooks libraries do).");
            });
        });
        return command;
    }

    private static Command ListEndpoints(CliContext cli)
    {
        var command = new Command("list", "List your endpoints (never their secrets).");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Events.ListWebhookEndpointsAsync(new ListWebhookEndpointsRequest(), cancellationToken: ct);
            session.Printer.Print(response, o => WriteEndpoints(o, response.Endpoints));
        });
        return command;
    }

    private static Argument<string> EndpointArgument() => new("id") { Description = "Id of the endpoint (see 'lhctl webhook list')." };

    private static Command DeleteEndpoint(CliContext cli)
    {
        var id = EndpointArgument();
        var command = new Command("delete", "Delete an endpoint and its pending deliveries.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Events.DeleteWebhookEndpointAsync(new WebhookEndpointRequest { EndpointId = parse.GetValue(id)! }, cancellationToken: ct);
            session.Printer.Print(response, o => o.WriteLine($"Deleted endpoint {parse.GetValue(id)}."));
        });
        return command;
    }

    private static Command EnableEndpoint(CliContext cli)
    {
        var id = EndpointArgument();
        var command = new Command("enable", "Let an endpoint the server disabled (after five days of failures) receive events again.") { id };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var endpoint = await session.Events.EnableWebhookEndpointAsync(new WebhookEndpointRequest { EndpointId = parse.GetValue(id)! }, cancellationToken: ct);
            session.Printer.Print(endpoint, o =>
            {
                WriteEndpoints(o, [endpoint]);
                o.WriteLine("Enabled. Send what failed meanwhile with 'lhctl webhook redeliver ID --since TIME'.");
            });
        });
        return command;
    }

    private static Command Deliveries(CliContext cli)
    {
        var id = EndpointArgument();
        var command = new Command("deliveries", "List an endpoint's deliveries, newest first: state, attempts and the last answer.") { id };
        var paging = Paging.AddTo(command);
        cli.SetCall(command, async (session, parse, ct) =>
        {
            await paging.PrintAsync(session.Printer, parse, page =>
                session.Events.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { EndpointId = parse.GetValue(id)!, Page = page },
                    cancellationToken: ct).ResponseAsync,
                (o, response) =>
                {
                    if (response.Deliveries.Count == 0)
                    {
                        o.WriteLine("No deliveries.");
                        return;
                    }
                    var table = new Table("EVENT", "SEQUENCE", "TYPE", "STATE", "ATTEMPTS", "LAST ANSWER", "NEXT ATTEMPT");
                    foreach (var d in response.Deliveries)
                    {
                        var answer = d.LastStatusCode != 0 ? d.LastStatusCode.ToString(CultureInfo.InvariantCulture) : "";
                        if (d.LastError.Length > 0 && !d.LastError.StartsWith("HTTP", StringComparison.Ordinal))
                        {
                            answer = d.LastError;
                        }
                        table.Add(d.EventId, d.EventSequence.ToString(CultureInfo.InvariantCulture), d.EventType,
                            d.State.ToString().ToLowerInvariant(), d.Attempts.ToString(CultureInfo.InvariantCulture), answer,
                            d.NextAttemptAt is null ? "" : Display.Time(d.NextAttemptAt));
                    }
                    table.WriteTo(o);
                });
        });
        return command;
    }

    private static Command Redeliver(CliContext cli)
    {
        var id = EndpointArgument();
        var eventId = new Option<string?>("--event") { Description = "Redeliver this one event (its evt_ id).", HelpName = "EVENT_ID" };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Redeliver every event from this time on (ISO 8601, e.g. 2026-12-01T00:00:00Z).", HelpName = "TIME",
        };
        var command = new Command("redeliver", "Queue one event, or every event since a time, for the endpoint again.") { id, eventId, since };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var request = new RedeliverEventsRequest { EndpointId = parse.GetValue(id)!, EventId = parse.GetValue(eventId) ?? "" };
            if (parse.GetValue(since) is { } from)
            {
                request.Since = Timestamp.FromDateTimeOffset(from);
            }
            var response = await session.Events.RedeliverEventsAsync(request, cancellationToken: ct);
            session.Printer.Print(response, o => o.WriteLine($"Queued {response.Queued} deliver{(response.Queued == 1 ? "y" : "ies")}."));
        });
        return command;
    }

    private static string Line(Event e) =>
        $"{e.Sequence}  {Display.Time(e.OccurredAt)}  {e.Type}  {e.ObjectType} {e.ObjectId}  {Google.Protobuf.JsonFormatter.Default.Format(e.Data)}";

    private static void WriteEvents(TextWriter o, IReadOnlyCollection<Event> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        var table = new Table("SEQUENCE", "TIME", "TYPE", "OBJECT", "ID", "EVENT ID");
        foreach (var e in events)
        {
            table.Add(e.Sequence.ToString(CultureInfo.InvariantCulture), Display.Time(e.OccurredAt), e.Type, e.ObjectType, e.ObjectId, e.Id);
        }
        table.WriteTo(o);
    }

    private static void WriteEndpoints(TextWriter o, IReadOnlyCollection<WebhookEndpoint> endpoints)
    {
        if (endpoints.Count == 0)
        {
            o.WriteLine("No webhook endpoints. Register one with 'lhctl webhook create --url URL'.");
            return;
        }
        var table = new Table("ID", "URL", "TYPES", "STATE", "DESCRIPTION");
        foreach (var e in endpoints)
        {
            var state = e.DisabledAt is not null ? "disabled " + Display.Time(e.DisabledAt)
                : e.FailingSince is not null ? "failing since " + Display.Time(e.FailingSince) : "active";
            table.Add(e.Id, e.Url, e.EventTypes.Count == 0 ? "all" : string.Join(",", e.EventTypes), state, e.Description);
        }
        table.WriteTo(o);
    }
}
