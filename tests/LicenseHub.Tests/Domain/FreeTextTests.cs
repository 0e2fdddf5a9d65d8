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
