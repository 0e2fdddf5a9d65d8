using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// Webhook deliveries are rows, not memory: a server killed while a delivery is in flight delivers it after it
/// starts again, once the dead process's lease on it has run out, and the receiver gets the event exactly once.
/// </summary>
public sealed class WebhookEndToEndTests
{
    [Fact]
    public async Task Lhctl_RegistersAWebhook_ShowsTheFeed_AndTheDelivery()
    {
        using var work = new TempDirectory("webhook-lhctl");
        await using var receiver = new WebhookReceiver();
        await using var server = await ServerProcess.StartAsync(new ServerOptions
        {
            Settings = new Dictionary<string, string> { ["LicenseHub__Webhooks__AllowPrivateDestinations"] = "true" },
        });
        var lhctl = new Lhctl(server.GrpcUrl, work.Path);
        string[] asVendor = ["--api-key-file", server.VendorKeyFile];
        await server.ReadVendorKeyAsync();
        var product = NewcomerFlow.Id(await lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", "panel", "--name", "Hosting Panel"]));
        var plan = NewcomerFlow.Id(await lhctl.SucceedAsync(null, [.. asVendor, "plan", "create", "--product", product, "--code", "pro-1y",
            "--edition", "pro", "--term-days", "365", "--max-machines", "1", "--price", "19.99", "--currency", "EUR"]));
        var reseller = NewcomerFlow.Id(await lhctl.SucceedAsync(null, [.. asVendor, "reseller", "create", "--company", "Lhctl Hosting", "--country", "DE",
            "--contact-name", "Desk", "--contact-email", "desk@lhctl.test"]));
        var keyOut = (await lhctl.SucceedAsync(null, [.. asVendor, "apikey", "create", "--reseller", reseller, "--name", "billing", "--role", "owner"])).StdOut;
        var key = System.Text.RegularExpressions.Regex.Match(keyOut, @"lh_\S+").Value;
        Assert.False(string.IsNullOrEmpty(key), keyOut);

        var created = await lhctl.SucceedAsync(key, "webhook", "create", "--url", receiver.Url(), "--type", "order.completed", "--description", "WHMCS");
        Assert.Contains("Signing secret (shown only now): whsec_", created.StdOut);
        var refused = await lhctl.RunAsync(key, "webhook", "create", "--url", receiver.Url(), "--type", "order.exploded");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("event_types[0]", refused.StdErr);
        await lhctl.SucceedAsync(key, "order", "create", "--plan", plan, "--quantity", "3", "--idempotency-key", "invoice-7001");
        await receiver.WaitForAsync(r => r.Count == 1, TimeSpan.FromSeconds(30));

        var list = await lhctl.SucceedAsync(key, "event", "list");
        Assert.Contains("order.completed", list.StdOut);
        Assert.Contains("Read on with --after 1.", list.StdOut);
        var endpoints = await lhctl.SucceedAsync(key, "webhook", "list");
        var endpointId = System.Text.RegularExpressions.Regex.Match(endpoints.StdOut, @"[0-9a-f]{8}-[0-9a-f-]{27}").Value;
        var deliveries = await lhctl.SucceedAsync(key, "webhook", "deliveries", endpointId);
        Assert.Contains("delivered", deliveries.StdOut);
        var settings = await lhctl.SucceedAsync(key, "event", "settings", "--pool-low-threshold", "2");
        Assert.Contains("pool.low: below 2 available", settings.StdOut);
        var help = await lhctl.SucceedAsync(null, "webhook", "redeliver", "--help");
        Assert.Contains("--since", help.StdOut);
    }

    [Fact]
    public async Task AServerKilledMidDelivery_DeliversTheEventAfterItsRestart_ExactlyOnce()
    {
        using var work = new TempDirectory("webhook-crash");
        await using var receiver = new WebhookReceiver { Hang = 0 };
        var options = new ServerOptions
        {
            DataDirectory = work.Combine("data"),
            Settings = new Dictionary<string, string>
            {
                ["LicenseHub__Webhooks__AllowPrivateDestinations"] = "true",
                // A lease of 2 × 2 s + 5 s: the restarted server waits that long for the dead one's claim.
                ["LicenseHub__Webhooks__AttemptTimeout"] = "00:00:02",
                ["LicenseHub__Webhooks__PollInterval"] = "00:00:00.200",
            },
        };
        string webhookId;
        var first = await ServerProcess.StartAsync(options);
        try
        {
            var vendorKey = await first.ReadVendorKeyAsync();
            using var channel = GrpcChannel.ForAddress(first.GrpcUrl);
            var vendor = new VendorService.VendorServiceClient(channel.Intercept(m => { m.Add("authorization", "Bearer " + vendorKey); return m; }));
            var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
            var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
            {
                ProductId = product.Id, Code = "pro", Edition = "pro", TermDays = 365, MaxMachines = 1, OfflineGraceDays = 3,
                Price = new Money { AmountMinor = 1000, Currency = "EUR" }, TransferBudget = 2,
            });
            var reseller = await vendor.CreateResellerAsync(new CreateResellerRequest
            {
                CompanyName = "Crash Hosting", Country = "DE", BillingContactName = "Desk", BillingContactEmail = "desk@crash.test",
            });
            var owner = (await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.Id, Name = "owner", Role = ApiKeyRole.Owner })).ApiKey;
            var asOwner = channel.Intercept(m => { m.Add("authorization", "Bearer " + owner); return m; });
            await new EventService.EventServiceClient(asOwner).CreateWebhookEndpointAsync(new CreateWebhookEndpointRequest { Url = receiver.Url() });
            await new ResellerService.ResellerServiceClient(asOwner).CreateOrderAsync(new CreateOrderRequest
            {
                PlanId = plan.Id, Quantity = 1, IdempotencyKey = "order-crash-1",
            });
            var events = await new EventService.EventServiceClient(asOwner).ListEventsAsync(new ListEventsRequest());
            webhookId = events.Events.Single().Id;

            // The first attempt reaches the receiver, which holds it; the server dies with the request in flight.
            var until = DateTime.UtcNow.AddSeconds(30);
            while (receiver.Arrived == 0 && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
            Assert.Equal(1, receiver.Arrived);
            first.Kill();
        }
        finally
        {
            await first.DisposeAsync();
        }
        Assert.Empty(receiver.Received);

        await using var second = await ServerProcess.StartAsync(options);
        var got = await receiver.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        got = receiver.Received.ToArray();
        var delivered = Assert.Single(got);
        Assert.Equal(webhookId, delivered.Id);
        Assert.Equal(204, delivered.Answered);
    }
}
