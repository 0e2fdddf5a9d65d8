using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests.Infrastructure;

public sealed record PortalUser(string Email, string Password, string ResellerId);

/// <summary>One real server and one headless Debian Chromium, shared by the portal tests.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string NewPassword = "Correct-Horse-Battery-9";

    private GrpcChannel? _channel;
    private IPlaywright? _playwright;
    private int _users;

    public ServerProcess Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public VendorService.VendorServiceClient Vendor { get; private set; } = null!;
    public Plan Plan { get; private set; } = null!;

    /// <summary>Signed-in contexts per role and screen, shared by the page sweeps.</summary>
    public SignedInPages Pages { get; private set; } = null!;

    /// <summary>Screenshots of the main pages, in the test output directory.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        // The browser needs the portal's pages on the web endpoint, not only gRPC (which the tests set up data over).
        Server = await ServerProcess.StartAsync(new ServerOptions { WebReadyPath = "/sign-in" });
        var vendorKey = await Server.ReadVendorKeyAsync();
        _channel = GrpcChannel.ForAddress(Server.GrpcUrl);
        Vendor = new VendorService.VendorServiceClient(_channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + vendorKey);
            return m;
        }));
        var product = await Vendor.CreateProductAsync(new CreateProductRequest { Code = "panel", Name = "Hosting Panel" });
        Plan = await Vendor.CreatePlanAsync(new CreatePlanRequest
        {
            ProductId = product.Id, Code = "pro-yearly", Edition = "Pro", TermDays = 365, MaxMachines = 2, OfflineGraceDays = 7,
            Price = new Money { AmountMinor = 4900, Currency = "EUR" }, TransferBudget = 3,
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Pages = new SignedInPages(this);
    }

    /// <summary>AgentService on the server, as lh-agent calls it (no API key).</summary>
    public AgentService.AgentServiceClient Agent => new(_channel!);

    /// <summary>ResellerService with a reseller API key, for setting up what a test needs.</summary>
    public ResellerService.ResellerServiceClient Reseller(string apiKey) => new(_channel!.Intercept(m =>
    {
        m.Add("authorization", "Bearer " + apiKey);
        return m;
    }));

    /// <summary>A new reseller with an owner who can sign in to the portal.</summary>
    public async Task<PortalUser> NewResellerOwnerAsync(string company)
    {
        var reseller = await Vendor.CreateResellerAsync(new CreateResellerRequest
        {
            CompanyName = company, Country = "DE", VatId = "DE123456789", BillingContactName = "Billing Desk", BillingContactEmail = "billing@example-hosting.test",
        });
        return await NewStaffAsync(ApiKeyRole.Owner, reseller.Id);
    }

    public async Task<PortalUser> NewStaffAsync(ApiKeyRole role, string resellerId = "")
    {
        var n = Interlocked.Increment(ref _users);
        var created = await Vendor.CreateStaffUserAsync(new CreateStaffUserRequest
        {
            Email = $"person{n}@staff.test", DisplayName = $"Alex Example {n}", Role = role, ResellerId = resellerId,
        });
        return new PortalUser(created.User.Email, created.InitialPassword, resellerId);
    }

    public async Task<IBrowserContext> NewContextAsync() => await Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = Server.WebUrl,
        ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
        AcceptDownloads = true,
    });

    /// <summary>Signs in; at the first sign-in the initial password is replaced, as the portal asks.</summary>
    public static async Task<PortalUser> SignInAsync(IPage page, PortalUser user)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("E-mail address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (page.Url.Contains("/account/password", StringComparison.Ordinal))
        {
            await page.GetByLabel("Current password").FillAsync(user.Password);
            await page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
            await page.GetByLabel("Repeat the new password").FillAsync(NewPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save new password" }).ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/account/password", StringComparison.Ordinal));
            return user with { Password = NewPassword };
        }
        return user;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Pages is not null)
        {
            await Pages.DisposeAsync();
        }
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        _channel?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
