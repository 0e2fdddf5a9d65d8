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
