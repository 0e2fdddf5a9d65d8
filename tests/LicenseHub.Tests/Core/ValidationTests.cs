using Google.Protobuf.WellKnownTypes;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

public sealed class ValidationTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private int StoredRows() => _factory.WithDb(db =>
        db.Products.Count() + db.Plans.Count() + db.Resellers.Count() + db.Orders.Count() + db.Licenses.Count() + db.ApiKeys.Count()
        + db.AuditEvents.Count());

    [Fact]
    public async Task VendorRequests_BadFields_AreRefusedNamingTheFieldAndNothingIsStored()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var vendor = _factory.Vendor();
        var before = StoredRows();

        await RpcAssert.InvalidField("code", () => vendor.CreateProductAsync(new CreateProductRequest { Code = "Not A Slug!", Name = "x" }));
        await RpcAssert.InvalidField("name", () => vendor.CreateProductAsync(new CreateProductRequest { Code = "ok", Name = new string('n', 201) }));
        await RpcAssert.InvalidField("term_days", () => vendor.CreatePlanAsync(ValidPlan(scenario, p => p.TermDays = 0)));
        await RpcAssert.InvalidField("max_machines", () => vendor.CreatePlanAsync(ValidPlan(scenario, p => p.MaxMachines = -1)));
        await RpcAssert.InvalidField("price.currency", () => vendor.CreatePlanAsync(ValidPlan(scenario, p => p.Price.Currency = "euro")));
        await RpcAssert.InvalidField("price.amount_minor", () => vendor.CreatePlanAsync(ValidPlan(scenario, p => p.Price.AmountMinor = -5)));
        await RpcAssert.InvalidField("product_id", () => vendor.CreatePlanAsync(ValidPlan(scenario, p => p.ProductId = "42")));
        await RpcAssert.InvalidField("country", () => vendor.CreateResellerAsync(ValidReseller(r => r.Country = "Germany")));
        await RpcAssert.InvalidField("billing_contact_email", () => vendor.CreateResellerAsync(ValidReseller(r => r.BillingContactEmail = "not-an-email")));
        await RpcAssert.InvalidField("company_name", () => vendor.CreateResellerAsync(ValidReseller(r => r.CompanyName = "")));
        await RpcAssert.InvalidField("company_name", () => vendor.CreateResellerAsync(ValidReseller(r => r.CompanyName = "Evil\u0000Corp")));
        await RpcAssert.InvalidField("role", () => vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = Guid.NewGuid().ToString(), Name = "k", Role = (ApiKeyRole)77,
        }));
        await RpcAssert.InvalidField("role", () => vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = Guid.NewGuid().ToString(), Name = "k", Role = ApiKeyRole.VendorAdmin,
        }));
        await RpcAssert.InvalidField("status", () => vendor.ListResellersAsync(new ListResellersRequest { Status = (ResellerStatus)9 }));
        await RpcAssert.InvalidField("page.page_size", () => vendor.ListResellersAsync(new ListResellersRequest { Page = new PageRequest { PageSize = 5000 } }));
        await RpcAssert.InvalidField("page.page_token", () => vendor.ListResellersAsync(new ListResellersRequest { Page = new PageRequest { PageToken = "garbage" } }));

        Assert.Equal(before, StoredRows());
    }

    [Fact]
    public async Task ResellerRequests_BadFields_AreRefusedNamingTheFieldAndNothingIsStored()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        var client = _factory.Reseller(reseller.OwnerKey);
        var before = StoredRows();

        CreateOrderRequest Order(Action<CreateOrderRequest> change)
        {
            var r = new CreateOrderRequest { PlanId = scenario.Plan.Id, Quantity = 1, IdempotencyKey = "valid-key-1" };
            change(r);
            return r;
        }
        await RpcAssert.InvalidField("quantity", () => client.CreateOrderAsync(Order(r => r.Quantity = 0)));
        await RpcAssert.InvalidField("quantity", () => client.CreateOrderAsync(Order(r => r.Quantity = -3)));
        await RpcAssert.InvalidField("quantity", () => client.CreateOrderAsync(Order(r => r.Quantity = 100_001)));
        await RpcAssert.InvalidField("idempotency_key", () => client.CreateOrderAsync(Order(r => r.IdempotencyKey = "")));
        await RpcAssert.InvalidField("idempotency_key", () => client.CreateOrderAsync(Order(r => r.IdempotencyKey = new string('k', 65))));
        await RpcAssert.InvalidField("plan_id", () => client.CreateOrderAsync(Order(r => r.PlanId = "not-a-guid")));
        await RpcAssert.InvalidField("count", () => client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 0 }));
        await RpcAssert.InvalidField("count", () => client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Count = 10_001 }));
        await RpcAssert.InvalidField("pool_id", () => client.AssignLicensesAsync(new AssignLicensesRequest { PoolId = "x", Count = 1 }));
        await RpcAssert.InvalidField("license_id", () => client.GetLicenseAsync(new GetLicenseRequest { LicenseId = "../etc/passwd" }));
        await RpcAssert.InvalidField("state", () => client.ListLicensesAsync(new ListLicensesRequest { State = (LicenseState)42 }));
        await RpcAssert.InvalidField("expires_before", () => client.ListLicensesAsync(new ListLicensesRequest { ExpiresBefore = new Timestamp { Seconds = long.MaxValue } }));

        foreach (var personal in new[] { "jane.doe@example.com", "+49 30 1234567", "(555) 123-4567", "192.168.10.20", "2001:db8::1", "name=Jane Doe", new string('r', 65),
            "{\"first_name\":\"Jane\"}", "user@localhost", "030 1234567", "0171-1234567", "example.com" })
        {
            await RpcAssert.InvalidField("assignments[1].reseller_reference", () => client.AssignLicensesAsync(new AssignLicensesRequest
            {
                PoolId = pool.Id,
                Assignments = { new LicenseAssignment { ResellerReference = "cust-1" }, new LicenseAssignment { ResellerReference = personal } },
            }));
        }

        Assert.Equal(before, StoredRows());
        Assert.Equal(0, (await client.GetPoolAsync(new GetPoolRequest { PoolId = pool.Id })).Assigned);
    }

    [Fact]
    public async Task ResellerReference_OpaqueCustomerIds_AreAccepted()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var pool = await scenario.BuyAsync(reseller, 5);
        string[] references = ["WHMCS-4711", "client-1029384756", "order-2024-11-26", "8f14e45f", "srv_0042"];

        var response = await _factory.Reseller(reseller.OwnerKey).AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = pool.Id,
            Assignments = { references.Select(r => new LicenseAssignment { ResellerReference = r }) },
        });

        Assert.Equal(references, response.Licenses.Select(l => l.License.ResellerReference));
    }

    private static CreatePlanRequest ValidPlan(Scenario scenario, Action<CreatePlanRequest> change)
    {
        var request = new CreatePlanRequest
        {
            ProductId = scenario.ProductId, Code = "basic-" + Guid.NewGuid().ToString("N")[..6], Edition = "basic", TermDays = 30,
            MaxMachines = 1, OfflineGraceDays = 3, Price = new Money { AmountMinor = 500, Currency = "EUR" }, TransferBudget = 1,
        };
        change(request);
        return request;
    }

    private static CreateResellerRequest ValidReseller(Action<CreateResellerRequest> change)
    {
        var request = new CreateResellerRequest
        {
            CompanyName = "Valid GmbH", Country = "DE", VatId = "DE1", BillingContactName = "Desk", BillingContactEmail = "desk@valid.test",
        };
        change(request);
        return request;
    }
}
