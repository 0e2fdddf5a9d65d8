using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using LicenseHub.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>
/// Every portal page, on a laptop and on a phone: it answers, fits the screen, lets its person sign out, and axe-core
/// finds nothing serious or critical. One browser, one signed-in context per role and screen, reused across pages.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PageSweepTests(PortalFixture fixture)
{
    /// <summary>The pages people sign in for, by who sees them, and the name of their screenshot.</summary>
    public static readonly (PortalRole Role, string Path, string Name)[] SignedIn =
    [
        (PortalRole.ResellerOwner, "/reseller", "reseller-dashboard"),
        (PortalRole.ResellerOwner, "/reseller/licenses", "reseller-licenses"),
        (PortalRole.ResellerOwner, "/reseller/licenses/{license}", "reseller-license-detail"),
        (PortalRole.ResellerOwner, "/reseller/buy", "reseller-buy"),
        (PortalRole.ResellerOwner, "/reseller/assign", "reseller-assign"),
        (PortalRole.ResellerOwner, "/reseller/assigned/{batch}", "reseller-new-keys"),
        (PortalRole.ResellerOwner, "/reseller/orders", "reseller-orders"),
        (PortalRole.ResellerOwner, "/reseller/api-keys", "reseller-api-keys"),
        (PortalRole.ResellerOwner, "/reseller/staff", "reseller-staff"),
        (PortalRole.ResellerOwner, "/reseller/account", "reseller-account"),
        (PortalRole.ResellerOwner, "/account/security", "account-security"),
        (PortalRole.ResellerOwner, "/account/password", "account-password"),
        (PortalRole.VendorAdmin, "/vendor/overview", "vendor-overview"),
        (PortalRole.VendorAdmin, "/vendor", "vendor-resellers"),
        (PortalRole.VendorAdmin, "/vendor/resellers/{reseller}", "vendor-reseller-detail"),
        (PortalRole.VendorAdmin, "/vendor/catalog", "vendor-catalog"),
        (PortalRole.VendorAdmin, "/vendor/orders", "vendor-orders"),
        (PortalRole.VendorAdmin, "/vendor/signing-keys", "vendor-signing-keys"),
        (PortalRole.VendorAdmin, "/vendor/staff", "vendor-staff"),
        (PortalRole.VendorAuditor, "/audit", "audit-statistics"),
        (PortalRole.VendorAuditor, "/audit/inventory", "audit-inventory"),
        (PortalRole.VendorAuditor, "/audit/pii-scan", "audit-pii-scan"),
        (PortalRole.VendorAuditor, "/audit/retention", "audit-retention"),
        (PortalRole.VendorAuditor, "/audit/trail", "audit-trail"),
    ];

    public static readonly (string Path, string Name)[] SignedOut =
    [
        ("/sign-in", "sign-in"),
        ("/status/404", "status-not-found"),
    ];

    public static TheoryData<int, PortalRole, string, string> SignedInCases()
    {
        var data = new TheoryData<int, PortalRole, string, string>();
        foreach (var width in new[] { Screens.Desktop, Screens.Phone })
        {
            foreach (var (role, path, name) in SignedIn)
            {
                data.Add(width, role, path, name);
            }
        }
        return data;
    }

    public static TheoryData<int, string, string> SignedOutCases()
    {
        var data = new TheoryData<int, string, string>();
        foreach (var width in new[] { Screens.Desktop, Screens.Phone })
        {
            foreach (var (path, name) in SignedOut)
            {
                data.Add(width, path, name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SignedInCases))]
    public async Task SignedInPage_FitsTheScreen_OffersSignOut_AndHasNoSeriousAxeViolation(int width, PortalRole role, string path, string name)
    {
        var page = await fixture.Pages.PageAsync(role, width);
        var response = await page.GotoAsync(await fixture.Pages.ResolveAsync(path));
        Assert.Equal(200, response!.Status);
        Assert.DoesNotContain("/sign-in", page.Url, StringComparison.Ordinal);

        await AssertFitsAsync(page, width);
        // Signing out and the sign-in security settings are one tap away on every screen.
        var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        await Assertions.Expect(signOut).ToBeVisibleAsync();
        await AssertInsideTheScreenAsync(page, signOut, width);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign-in security" })).ToBeVisibleAsync();

        await AssertNoSeriousAxeViolationAsync(page);
        await PortalFixture.ScreenshotAsync(page, $"{name}-{width}");
    }

    public static TheoryData<PortalRole, string, string> DarkCases()
    {
        var data = new TheoryData<PortalRole, string, string>();
        foreach (var (role, path, name) in SignedIn)
        {
            data.Add(role, path, name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DarkCases))]
    public async Task SignedInPage_InDarkMode_IsDarkAndKeepsItsContrast(PortalRole role, string path, string name)
    {
        var page = await fixture.Pages.PageAsync(role, Screens.Desktop, ColorScheme.Dark);
        await page.GotoAsync(await fixture.Pages.ResolveAsync(path));
        // The system's dark setting turns the page dark (the light page's background is #f5f6f8)...
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor");
        var main = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
        Assert.Equal("rgb(15, 20, 32)", main);
        Assert.NotEqual("rgb(245, 246, 248)", background);
        // ...and axe's colour-contrast rule, among the rest, finds nothing serious there.
        await AssertNoSeriousAxeViolationAsync(page);
        await PortalFixture.ScreenshotAsync(page, $"{name}-dark");
    }

    [Theory]
    [MemberData(nameof(SignedOutCases))]
    public async Task SignedOutPage_FitsTheScreen_AndHasNoSeriousAxeViolation(int width, string path, string name)
    {
        var page = await fixture.Pages.PageAsync(PortalRole.Anonymous, width);
        await page.GotoAsync(path);
        await AssertFitsAsync(page, width);
        await AssertNoSeriousAxeViolationAsync(page);
        await PortalFixture.ScreenshotAsync(page, $"{name}-{width}");
    }

    internal static async Task AssertFitsAsync(IPage page, int width)
    {
        var sizes = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.Equal(width, sizes[1]);
        var wide = sizes[0] > sizes[1]
            ? await page.EvaluateAsync<string>("""
                () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                      .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')
                """)
            : "";
        Assert.True(sizes[0] <= sizes[1], $"{page.Url} is {sizes[0]} px wide on a {sizes[1]} px screen: {wide}");
    }

    internal static async Task AssertInsideTheScreenAsync(IPage page, ILocator locator, int width)
    {
        var box = await locator.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= width, $"{page.Url}: the control lies outside the screen ({box.X}+{box.Width})");
    }

    internal static async Task AssertNoSeriousAxeViolationAsync(IPage page, AxeRunOptions? options = null)
    {
        var result = await page.RunAxe(options);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, Describe(page.Url, serious));
    }

    private static string Describe(string url, IEnumerable<AxeResultItem> violations)
    {
        var text = new StringBuilder($"axe on {url}:");
        foreach (var v in violations)
        {
            text.Append($"\n  {v.Impact} {v.Id}: {v.Help} — ");
            text.Append(string.Join("; ", v.Nodes.Take(4).Select(n => n.Target?.ToString() ?? n.Html)));
        }
        return text.ToString();
    }
}
