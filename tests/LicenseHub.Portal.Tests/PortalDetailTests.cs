using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>Small things people notice: where an error sits, a stray border, a key that cannot be copied.</summary>
[Collection(PortalCollection.Name)]
public sealed class PortalDetailTests(PortalFixture fixture)
{
    [Fact]
    public async Task SignIn_WrongPassword_ErrorSitsOnTheEdgesOfTheFields()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("E-mail address").FillAsync("nobody@staff.test");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var error = page.GetByTestId("signin-error");
        await Assertions.Expect(error).ToContainTextAsync("not correct");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(1);
        var banner = (await error.BoundingBoxAsync())!;
        var field = (await page.GetByLabel("E-mail address").BoundingBoxAsync())!;
        Assert.InRange(banner.X, field.X - 1, field.X + 1);
        Assert.InRange(banner.Width, field.Width - 1, field.Width + 1);
    }

    [Fact]
    public async Task AccountProfile_Fieldset_HasNoBorderOfItsOwn()
    {
        var page = await fixture.Pages.PageAsync(PortalRole.ResellerOwner, Screens.Desktop);
        await page.GotoAsync("/reseller/account");
        var fieldset = page.Locator("fieldset").First;
        await Assertions.Expect(fieldset).ToBeVisibleAsync();
        Assert.Equal("0px", await fieldset.EvaluateAsync<string>("f => getComputedStyle(f).borderTopWidth"));
        Assert.Equal("0px", await fieldset.EvaluateAsync<string>("f => getComputedStyle(f).paddingLeft"));
    }

    [Fact]
    public async Task NewKeys_EveryKeyShownHasACopyButton_ThatCopiesThatKey()
    {
        var owner = await fixture.NewResellerOwnerAsync("Copy Key Hosting Srl");
        await using var context = await fixture.NewContextAsync();
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = fixture.Server.WebUrl });
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller/buy");
        await page.GetByLabel("Number of licenses").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place order" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 3 license(s)");
        await page.GotoAsync("/reseller/assign");
        await page.GetByLabel("Your references").FillAsync("copy-1\ncopy-2\ncopy-3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).ClickAsync();

        // The new keys: one copy button per key, and the second copies the second key.
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("tbody tr").GetByRole(AriaRole.Button, new() { Name = "Copy the key of" })).ToHaveCountAsync(3);
        var second = page.Locator("tbody tr", new() { HasText = "copy-2" });
        var key = (await second.Locator("td.key-cell .mono").TextContentAsync())!.Trim();
        await second.GetByRole(AriaRole.Button, new() { Name = "Copy the key of copy-2" }).ClickAsync();
        await Assertions.Expect(second.GetByRole(AriaRole.Button)).ToHaveTextAsync("Copied");
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // A new API key, shown once, has one too.
        await page.GotoAsync("/reseller/api-keys");
        await page.GetByLabel("Name").FillAsync("copy-test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var apiKey = (await page.Locator("#new-key").TextContentAsync())!.Trim();
        await page.Locator("[data-copy='new-key']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-copy='new-key']")).ToHaveTextAsync("Copied");
        Assert.Equal(apiKey, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }

    [Fact]
    public async Task ApiKeys_ShowWhenEachKeyWasLastUsed()
    {
        var owner = await fixture.NewResellerOwnerAsync("Last Used Hosting Kft");
        var used = await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = owner.ResellerId, Name = "used-key", Role = ApiKeyRole.Manager });
        await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest { ResellerId = owner.ResellerId, Name = "idle-key", Role = ApiKeyRole.Viewer });
        await fixture.Reseller(used.ApiKey).ListPoolsAsync(new ListPoolsRequest());

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller/api-keys");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "used-key" }).GetByTestId("last-used")).ToContainTextAsync(today);
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "idle-key" }).GetByTestId("last-used")).ToHaveTextAsync("never");
    }
}
