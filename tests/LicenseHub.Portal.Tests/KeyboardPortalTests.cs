using LicenseHub.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// Buy, assign and revoke with the keyboard alone (Tab, Shift+Tab, Enter, Space), and every control reached shows
/// where the focus is. The portal has no modal dialogs: a confirmation is a panel of its own page, reached by a link.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class KeyboardPortalTests(PortalFixture fixture)
{
    /// <summary>The focused element's tag and accessible name (its aria-label, its label, or its text).</summary>
    private const string Focused = """
        () => {
          const el = document.activeElement;
          if (!el || el === document.body) return "";
          const name = el.getAttribute("aria-label") || (el.labels && el.labels.length ? el.labels[0].innerText : "") || el.innerText || el.value || "";
          return el.tagName.toLowerCase() + "|" + name.trim();
        }
        """;

    /// <summary>Tabs (forwards, or backwards with Shift) until a control of that tag whose name starts so has the focus, and checks it shows.</summary>
    private static async Task TabToAsync(IPage page, string tag, string name, bool backwards = false)
    {
        for (var i = 0; i < 120; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            var focused = await page.EvaluateAsync<string>(Focused);
            if (focused.StartsWith($"{tag}|{name}", StringComparison.Ordinal))
            {
                // A visible focus ring: :focus-visible applies and draws an outline.
                Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.matches(':focus-visible')"), $"{focused} is not :focus-visible");
                var outline = await page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; }");
                Assert.Equal("solid 3px", outline);
                return;
            }
        }
        Assert.Fail($"No {tag} named '{name}' is reachable with {(backwards ? "Shift+Tab" : "Tab")} on {page.Url}.");
    }

    /// <summary>
    /// Waits for the page a key press led to; a loaded machine gets a minute, and a session sent back to sign-in
    /// fails at once with where it went.
    /// </summary>
    private static async Task ArrivedAtAsync(IPage page, string glob, string part)
    {
        await page.WaitForURLAsync(url => url.Contains(part, StringComparison.Ordinal) || url.Contains("/sign-in", StringComparison.Ordinal),
            new() { Timeout = 60_000 });
        Assert.True(page.Url.Contains(part, StringComparison.Ordinal), $"expected {glob}, the key led to {page.Url}");
    }

    [Fact]
    public async Task Reseller_BuysAssignsAndRevokes_WithTheKeyboardOnly()
    {
        var owner = await fixture.NewResellerOwnerAsync("Keyboard Hosting Sp. z o.o.");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller");

        // Buy two.
        await TabToAsync(page, "a", "Buy licenses");
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAtAsync(page, "**/reseller/buy", "/reseller/buy");
        await TabToAsync(page, "input", "Number of licenses");
        await page.Keyboard.TypeAsync("2");
        await TabToAsync(page, "button", "Place order");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Bought 2 license(s)");

        // Assign one, with a reference; Space presses the button.
        await TabToAsync(page, "a", "Assign licenses");
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAtAsync(page, "**/reseller/assign", "/reseller/assign");
        await TabToAsync(page, "textarea", "Your references");
        await page.Keyboard.TypeAsync("kb-001");
        await TabToAsync(page, "button", "Assign licenses");
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New license keys" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);

        // Back from the end of the page (Shift+Tab) to the license's link, then revoke it through its confirmation.
        await TabToAsync(page, "a", "details", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAtAsync(page, "**/reseller/licenses/*", "/reseller/licenses/");
        await TabToAsync(page, "a", "Revoke…");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke it" })).ToBeVisibleAsync();
        await TabToAsync(page, "button", "Yes, revoke it");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("license-state")).ToHaveTextAsync("revoked");
    }
}
