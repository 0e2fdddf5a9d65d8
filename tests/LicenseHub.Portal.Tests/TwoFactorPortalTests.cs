using LicenseHub.Portal.Tests.Infrastructure;
using Microsoft.Playwright;
using OtpNet;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// Two-factor enrolment as a person does it: scan the QR code of the authenticator link (the same link the page offers,
/// drawn by the server), enter the app's code, and from then on sign in with a code.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class TwoFactorPortalTests(PortalFixture fixture)
{
    [Fact]
    public async Task Enrolment_QrCodeIsTheAuthenticatorLink_CodeTurnsItOn_AndSignInThenAsksForACode()
    {
        var owner = await fixture.NewResellerOwnerAsync("Two Factor Hosting GmbH");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        owner = await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/account/security");

        var key = (await page.Locator("#authenticator-key").TextContentAsync())!.Replace(" ", "").ToUpperInvariant();
        var link = $"otpauth://totp/LicenseHub:{Uri.EscapeDataString(owner.Email)}?secret={key}&issuer=LicenseHub&digits=6";
        Assert.Equal(link, await page.GetByRole(AriaRole.Link, new() { Name = "the otpauth link" }).GetAttributeAsync("href"));
        // The QR code encodes exactly that link: the server's markup is QRCoder's drawing of it.
        await Assertions.Expect(page.GetByTestId("authenticator-qr").Locator("svg")).ToBeVisibleAsync();
        var html = await (await context.APIRequest.GetAsync("/account/security")).TextAsync();
        using (var generator = new QRCoder.QRCodeGenerator())
        using (var data = generator.CreateQrCode(link, QRCoder.QRCodeGenerator.ECCLevel.M))
        {
            var expected = new QRCoder.SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true,
                sizingMode: QRCoder.SvgQRCode.SizingMode.ViewBoxAttribute);
            Assert.Contains(expected, html);
        }
        await PortalFixture.ScreenshotAsync(page, "account-security-qr");

        var totp = new Totp(Base32Encoding.ToBytes(key));
        await page.GetByLabel("Code from the app").FillAsync("000000" == totp.ComputeTotp() ? "111111" : "000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn two-factor on" }).ClickAsync();
        await Assertions.Expect(page.Locator("#code-error")).ToContainTextAsync("not valid");
        await page.GetByLabel("Code from the app").FillAsync(totp.ComputeTotp());
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn two-factor on" }).ClickAsync();
        await Assertions.Expect(page.Locator("#recovery-codes")).ToBeVisibleAsync();

        // Signed out, the password alone no longer signs in: the code of the next time step does.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("E-mail address").FillAsync(owner.Email);
        await page.GetByLabel("Password").FillAsync(owner.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/sign-in/two-factor", StringComparison.Ordinal));
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }
}
