using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LicenseHub.EndToEnd.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>A reseller's offline license files and data rights through lhctl, each on a quick start of its own.</summary>
public sealed class ResellerSelfServiceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task LicenseOfflineFile_RequestFile_WritesPrivateFileAndNeverOverwrites()
    {
        var flow = await fixture.FlowAsync("airgap");
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        var fingerprint = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var requestPath = fixture.Work.Combine("airgap-request.txt");
        await File.WriteAllTextAsync(requestPath, ActivationRequest("airgap", fingerprint) + "\n");
        var outputPath = fixture.Work.Combine("airgap.lic");

        var result = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "offline-file", licenseId,
            "--request-file", requestPath, "--output", outputPath);

        Assert.Contains($"Wrote the offline license file to {outputPath} (permissions 0600)", result.StdOut);
        Assert.Contains("lh-agent import", result.StdErr);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outputPath));
        }
        var token = (await File.ReadAllTextAsync(outputPath)).Trim();
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Contains("lh-offline-license+jwt", Encoding.UTF8.GetString(Base64UrlDecode(parts[0])));
        Assert.DoesNotContain(token, result.StdOut + result.StdErr);

        var license = JsonParser.Default.Parse<GetLicenseResponse>(
            (await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "get", licenseId, "--json")).StdOut);
        Assert.StartsWith(Assert.Single(license.Installations).FingerprintPrefix, fingerprint);

        // The file name is taken: refused before the server is asked, the file left as it was.
        var again = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "offline-file", licenseId,
            "--request", ActivationRequest("airgap", fingerprint), "--output", outputPath);
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("already exists", again.StdErr);
        Assert.Equal(token, (await File.ReadAllTextAsync(outputPath)).Trim());

        // Printed when no --output is given.
        var printed = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "license", "offline-file", licenseId,
            "--request", ActivationRequest("airgap", fingerprint));
        Assert.Equal(3, printed.StdOut.Trim().Split('.').Length);
    }

    [Fact]
    public async Task LicenseOfflineFile_BadRequests_ExitWithUsageOrServerRefusal()
    {
        var flow = await fixture.FlowAsync("airgap");
        var licenseId = File.ReadAllLines(flow.CsvPath)[1].Split(',')[0];
        var outputPath = fixture.Work.Combine("refused.lic");

        var neither = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "offline-file", licenseId);
        Assert.True(neither.ExitCode == 2, neither.ToString());
        Assert.Contains("--request", neither.StdErr);

        var garbage = await fixture.Lhctl.RunAsync(flow.ResellerKey, "license", "offline-file", licenseId,
            "--request", "not-a-request", "--output", outputPath);
        Assert.True(garbage.ExitCode == 1, garbage.ToString());
        Assert.Contains("activation_request", garbage.StdErr);
        Assert.False(File.Exists(outputPath), "The file must be removed when the server refuses.");
    }

    [Fact]
    public async Task AccountUpdate_OnlyGivenFields_ChangesThoseAndKeepsTheRest()
    {
        var flow = await fixture.FlowAsync("profile");

        var nothing = await fixture.Lhctl.RunAsync(flow.ResellerKey, "account", "update");
        Assert.True(nothing.ExitCode == 2, nothing.ToString());

        var result = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "update", "--contact-name", "Max Mustermann",
            "--country", "AT");
        Assert.Contains("Max Mustermann", result.StdOut);

        var account = JsonParser.Default.Parse<Reseller>((await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "show", "--json")).StdOut);
        Assert.Equal("Max Mustermann", account.BillingContactName);
        Assert.Equal("AT", account.Country);
        Assert.Equal(flow.ContactEmail, account.BillingContactEmail);
        Assert.Equal("Acme Hosting GmbH", account.CompanyName);
        Assert.Equal("DE123456789", account.VatId);

        await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "update", "--vat-id", "");
        account = JsonParser.Default.Parse<Reseller>((await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "show", "--json")).StdOut);
        Assert.Equal("", account.VatId);
        Assert.Equal("Max Mustermann", account.BillingContactName);

        var invalid = await fixture.Lhctl.RunAsync(flow.ResellerKey, "account", "update", "--contact-email", "not-an-address");
        Assert.True(invalid.ExitCode == 1, invalid.ToString());
        Assert.Contains("billing_contact_email: ", invalid.StdErr);

        var on = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "restrict", "on");
        Assert.Contains("now restricted", on.StdOut);
        var off = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "restrict", "off");
        Assert.Contains("no longer restricted", off.StdOut);
    }

    [Fact]
    public async Task AccountDelete_Confirmed_PrintsErasedAndKeptAndRevokesKey()
    {
        var flow = await fixture.FlowAsync("leaving");

        var wrong = await fixture.Lhctl.RunAsync(flow.ResellerKey, "account", "delete", "--confirm", Guid.NewGuid().ToString());
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains("confirm_reseller_id: ", wrong.StdErr);

        var result = await fixture.Lhctl.SucceedAsync(flow.ResellerKey, "account", "delete", "--confirm", flow.ResellerId);

        Assert.Contains($"Deleted account {flow.ResellerId}.", result.StdOut);
        Assert.Matches(@"(?ms)^Erased:\n(  - .+\n)+Kept:\n(  - .+\n)+", result.StdOut.Replace("\r\n", "\n"));
        var after = await fixture.Lhctl.RunAsync(flow.ResellerKey, "account", "show");
        Assert.True(after.ExitCode == 1, after.ToString());
        Assert.Contains("UNAUTHENTICATED", after.StdErr);
    }

    private static string ActivationRequest(string product, string fingerprint) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["product"] = product,
            ["fingerprint"] = fingerprint,
            ["product_version"] = "1.0.0",
            ["agent_version"] = "1.0.0",
        })).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
    }
}
