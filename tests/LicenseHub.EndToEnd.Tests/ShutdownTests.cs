using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>Stopping the server (SIGTERM, as systemd does) lets in-flight calls finish: nothing half-written, no answer lost.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_DuringBulkAssignments_FinishesInFlightCallsAndLosesNothing()
    {
        using var work = new TempDirectory("shutdown");
        var dataDirectory = work.Combine("data");
        string ownerKey;
        string poolId;
        var returned = 0;
        var outcomes = new List<StatusCode>();
        await using (var server = await ServerProcess.StartAsync(dataDirectory))
        {
            var vendorKey = await server.ReadVendorKeyAsync();
            using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
            var vendor = new VendorService.VendorServiceClient(channel.Intercept(Bearer(vendorKey)));
            var product = await vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Panel" });
            var plan = await vendor.CreatePlanAsync(new CreatePlanRequest
            {
                ProductId = product.Id, Code = "std", Edition = "std", TermDays = 30, MaxMachines = 1,
                Price = new Money { AmountMinor = 100, Currency = "EUR" },
            });
            var reseller = await vendor.CreateResellerAsync(new CreateResellerRequest
            {
                CompanyName = "Shutdown Hosting", Country = "NL", BillingContactName = "Desk", BillingContactEmail = "desk@shutdown.test",
            });
            ownerKey = (await vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.Id, Name = "o", Role = ApiKeyRole.Owner })).ApiKey;
            var client = new ResellerService.ResellerServiceClient(channel.Intercept(Bearer(ownerKey)));
            poolId = (await client.CreateOrderAsync(new CreateOrderRequest { PlanId = plan.Id, Quantity = 10_000, IdempotencyKey = "shutdown-order" })).Pool.Id;

            var calls = Enumerable.Range(0, 5).Select(async _ =>
            {
                try
                {
                    var response = await client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = poolId, Count = 2_000 });
                    Interlocked.Add(ref returned, response.Licenses.Count);
                    return StatusCode.OK;
                }
                catch (RpcException ex)
                {
                    return ex.StatusCode;
                }
            }).ToList();
            await Task.Delay(250);
            await server.StopAsync();
            outcomes.AddRange(await Task.WhenAll(calls));
            Assert.Contains("Application is shutting down", server.Output);
        }

        // Calls the server had accepted completed; a call that arrived after the stop began may be refused
        // as unavailable, never cut off half-way.
        Assert.Contains(StatusCode.OK, outcomes);
        Assert.All(outcomes, code => Assert.True(code is StatusCode.OK or StatusCode.Unavailable, $"call ended with {code}"));

        // What the answers said is exactly what was stored.
        await using var restarted = await ServerProcess.StartAsync(dataDirectory);
        using var again = GrpcChannel.ForAddress(restarted.GrpcUrl);
        var reader = new ResellerService.ResellerServiceClient(again.Intercept(Bearer(ownerKey)));
        var pool = await reader.GetPoolAsync(new GetPoolRequest { PoolId = poolId });
        Assert.Equal(returned, pool.Assigned);
        Assert.Equal(outcomes.Count(c => c == StatusCode.OK) * 2_000, returned);
    }

    private static Func<Metadata, Metadata> Bearer(string key) => metadata =>
    {
        metadata.Add("authorization", "Bearer " + key);
        return metadata;
    };
}
