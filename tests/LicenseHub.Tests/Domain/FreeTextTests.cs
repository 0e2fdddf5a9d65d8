using CsCheck;
using LicenseHub.Domain.Validation;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Domain;

/// <summary>Free text shows what it stores: no bidi overrides, zero-width characters or broken Unicode, wherever they hide.</summary>
public sealed class FreeTextTests
{
    // Right-to-left and left-to-right overrides and isolates, zero-width space/joiners, word joiner, byte-order mark,
    // soft hyphen, Arabic letter mark: every one is Unicode category Cf.
    private static readonly char[] Invisible = ['\u202E', '\u202D', '\u202A', '\u2066', '\u2067', '\u2068', '\u2069', '\u200B', '\u200C', '\u200D',
        '\u200E', '\u200F', '\u2060', '\uFEFF', '\u00AD', '\u061C'];

    private static readonly Gen<string> Names = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz ÄÖÜäöüéß-&.0123456789"], 2, 40];

    [Fact]
    public void Text_WithAnInvisibleCharacterAnywhere_IsRefused()
    {
        Gen.Select(Names, Gen.Int[0, 40], Gen.Int[0, Invisible.Length - 1]).Sample((name, at, which) =>
        {
            var hostile = name.Insert(Math.Min(at, name.Length), Invisible[which].ToString()) + "x";
            var v = new Validator();
            v.Text("company_name", hostile, 200);
            return v.Violations.Count == 1 && v.Violations[0].Field == "company_name";
        }, iter: 2000);
    }

    [Fact]
    public void Text_OfOrdinaryNamesInAnyScript_IsAccepted()
    {
        Gen.Select(Names, Gen.Int[0, 4].Select(i => new[] { "", " GmbH", " 株式会社", " ООО", " 🚀" }[i])).Sample((name, suffix) =>
        {
            var v = new Validator();
            v.Text("company_name", "A" + name + suffix, 200);
            return v.Violations.Count == 0;
        }, iter: 2000);
    }

    [Fact]
    public void Text_WithAnUnpairedSurrogate_IsRefused()
    {
        var v = new Validator();
        v.Text("company_name", "Example \uD83D Hosting", 200);
        Assert.Single(v.Violations);
    }
}

/// <summary>The same rule at the edge: a reseller whose company name hides a right-to-left override is not stored.</summary>
public sealed class FreeTextRpcTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task CreateReseller_CompanyNameWithRightToLeftOverride_IsInvalidArgument_AndNotStored()
    {
        await RpcAssert.InvalidField("company_name", () => _factory.Vendor().CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = "Example Hosting \u202Egpj.exe",
            Country = "DE",
            VatId = "DE123456789",
            BillingContactName = "Billing Desk",
            BillingContactEmail = "billing@example-hosting.test",
        }));
        Assert.Equal(0, _factory.WithDb(db => db.Resellers.Count()));
    }
}

/// <summary>Versions are MAJOR.MINOR.PATCH with an optional short pre-release: nothing that can carry text into end-user tables.</summary>
public sealed class VersionTests
{
    private static bool Accepted(string version)
    {
        var v = new Validator();
        LicenseHub.Domain.Installations.AgentReport.Validate(v, new string('a', 64), version, "0.1.0", LicenseHub.Domain.Installations.TelemetryLevel.Required);
        return v.Violations.Count == 0;
    }

    [Theory]
    [InlineData("1.4.2")]
    [InlineData("0.0.0")]
    [InlineData("2.0.0-rc.1")]
    [InlineData("10.20.30-beta-2")]
    public void Strict_Versions_AreAccepted(string version) => Assert.True(Accepted(version));

    [Theory]
    [InlineData("1.4.2+build.jane.doe")]
    [InlineData("1.4.2+20261202")]
    [InlineData("v1.4.2")]
    [InlineData("1.4")]
    [InlineData("1.4.2.7")]
    [InlineData("1.4.2-customer-acme-hosting-gmbh")]
    public void Versions_WithBuildMetadataOrOtherShapes_AreRefused(string version) => Assert.False(Accepted(version));

    [Fact]
    // Realistic shapes: ten digits with dots also read as a phone number, and "b.bc" as a host name, which the
    // personal-data filter refuses on purpose.
    public void Versions_FollowingTheGrammar_AreAcceptedAndNothingElse()
    {
        Gen.Select(Gen.Int[0, 99], Gen.Int[0, 99], Gen.Int[0, 99], Gen.Select(Gen.Int[0, 4], Gen.Int[0, 99]).Select((k, n) => k switch { 0 => "", 1 => $"rc.{n}", 2 => $"beta.{n}", 3 => $"alpha-{n}", _ => $"pre{n}" })).Sample((a, b, c, pre) =>
            Accepted(pre.Length == 0 ? $"{a}.{b}.{c}" : $"{a}.{b}.{c}-{pre}") && !Accepted($"{a}.{b}.{c}+{(pre.Length == 0 ? "x" : pre)}"), iter: 2000);
    }
}

/// <summary>Every free-text field of every RPC that stores one refuses control, bidi and zero-width characters, naming the field.</summary>
public sealed class FreeTextFieldTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("Example\nHosting")]
    [InlineData("Example \u202Egpj.exe")]
    [InlineData("Exam\u200Bple")]
    [InlineData("Example\u2066 Hosting")]
    public async Task EveryFreeTextField_WithAHiddenCharacter_IsInvalidArgumentNamingIt(string hostile)
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var vendor = _factory.Vendor();
        var owner = _factory.Reseller(reseller.OwnerKey);
        CreateResellerRequest NewReseller(Action<CreateResellerRequest> change)
        {
            var r = new CreateResellerRequest
            {
                CompanyName = "Example Hosting", Country = "DE", VatId = "DE123456789", BillingContactName = "Billing Desk", BillingContactEmail = "billing@example-hosting.test",
            };
            change(r);
            return r;
        }

        await RpcAssert.InvalidField("company_name", () => vendor.CreateResellerAsync(NewReseller(r => r.CompanyName = hostile)));
        await RpcAssert.InvalidField("vat_id", () => vendor.CreateResellerAsync(NewReseller(r => r.VatId = hostile)));
        await RpcAssert.InvalidField("billing_contact_name", () => vendor.CreateResellerAsync(NewReseller(r => r.BillingContactName = hostile)));
        await RpcAssert.InvalidField("name", () => vendor.CreateProductAsync(new CreateProductRequest { Code = "other", Name = hostile }));
        await RpcAssert.InvalidField("edition", () => vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = scenario.ProductId, Code = "basic", Edition = hostile, TermDays = 30, MaxMachines = 1, OfflineGraceDays = 1,
            Price = new Money { AmountMinor = 100, Currency = "EUR" }, TransferBudget = 1,
        }));
        await RpcAssert.InvalidField("name", () => vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = reseller.ResellerId, Name = hostile, Role = ApiKeyRole.Viewer }));
        await RpcAssert.InvalidField("name", () => vendor.CreateVendorApiKeyAsync(new CreateVendorApiKeyRequest { Name = hostile, Role = ApiKeyRole.VendorAuditor }));
        await RpcAssert.InvalidField("reason", () => vendor.SuspendResellerAsync(new SuspendResellerRequest { ResellerId = reseller.ResellerId, Reason = hostile }));
        await RpcAssert.InvalidField("display_name", () => vendor.CreateStaffUserAsync(new CreateStaffUserRequest { Email = "desk@example.test", DisplayName = hostile, Role = ApiKeyRole.VendorAuditor }));
        await RpcAssert.InvalidField("company_name", () => owner.UpdateProfileAsync(new UpdateProfileRequest { CompanyName = hostile }));
        await RpcAssert.InvalidField("vat_id", () => owner.UpdateProfileAsync(new UpdateProfileRequest { VatId = hostile }));
        await RpcAssert.InvalidField("billing_contact_name", () => owner.UpdateProfileAsync(new UpdateProfileRequest { BillingContactName = hostile }));
        await RpcAssert.InvalidField("assignments[0].reseller_reference", () => owner.AssignLicensesAsync(new AssignLicensesRequest
        {
            PoolId = Guid.NewGuid().ToString(), Assignments = { new LicenseAssignment { ResellerReference = hostile } },
        }));
    }
}
