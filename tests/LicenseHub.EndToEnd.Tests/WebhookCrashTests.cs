using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// Webhook deliveries are rows, not memory: a server killed while a delivery is in flight delivers it after it
/// starts again, once the dead process's lease on it has run out, and the receiver gets the event exactly once.
/// </summary>
public sealed class WebhookCrashTests
{
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
