using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>Signing key rotation through lhctl, on a server of its own (a fresh server has exactly one key).</summary>
public sealed class SigningKeyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task SigningKeyRotate_ThenList_ShowsTwoKeys()
    {
        await fixture.Server.ReadVendorKeyAsync();
        string[] asVendor = ["--api-key-file", fixture.Server.VendorKeyFile];

        var before = JsonParser.Default.Parse<ListSigningKeysResponse>(
            (await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "signing-key", "list", "--json"])).StdOut);
        var original = Assert.Single(before.Keys);
        Assert.True(original.Active);

        var rotate = await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "signing-key", "rotate"]);
        Assert.Contains("New active signing key: ", rotate.StdOut);
        Assert.Contains($"Retired: {original.Kid}", rotate.StdOut);

        var after = JsonParser.Default.Parse<ListSigningKeysResponse>(
            (await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "signing-key", "list", "--json"])).StdOut);
        Assert.Equal(2, after.Keys.Count);
        var active = Assert.Single(after.Keys, k => k.Active);
        Assert.NotEqual(original.Kid, active.Kid);
        Assert.Contains(active.Kid, rotate.StdOut);
        var retired = Assert.Single(after.Keys, k => !k.Active);
        Assert.Equal(original.Kid, retired.Kid);
        Assert.NotNull(retired.RetiredAt);
        Assert.NotNull(retired.PublishedUntil);

        var table = await fixture.Lhctl.SucceedAsync(null, [.. asVendor, "signing-key", "list"]);
        Assert.Matches($@"(?m)^{active.Kid}\s+active\s", table.StdOut);
        Assert.Matches($@"(?m)^{original.Kid}\s+retired\s", table.StdOut);
    }

    [Fact]
    public async Task SigningKeyRotate_AuditorKey_ExitsOneWithPermissionDenied()
    {
        await fixture.Server.ReadVendorKeyAsync();
        var created = await fixture.Lhctl.SucceedAsync(null, "--api-key-file", fixture.Server.VendorKeyFile,
            "apikey", "create-vendor", "--name", "auditor", "--role", "auditor");
        var auditorKey = Assert.Single(NewcomerFlow.ApiKeyPattern().Matches(created.StdOut)).Value;

        var result = await fixture.Lhctl.RunAsync(auditorKey, "signing-key", "rotate");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("PERMISSION_DENIED", result.StdErr);
        // The auditor may still look.
        await fixture.Lhctl.SucceedAsync(auditorKey, "signing-key", "list");
    }
}
