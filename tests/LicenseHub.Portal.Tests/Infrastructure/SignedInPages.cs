using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests.Infrastructure;

public enum PortalRole
{
    Anonymous,
    ResellerOwner,
    VendorAdmin,
    VendorAuditor,
}

/// <summary>The two screens the portal is tried on: a laptop and a phone.</summary>
public static class Screens
{
    public const int Desktop = 1280;
    public const int Phone = 390;

    public static ViewportSize Size(int width) => width == Phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 };
}

/// <summary>
/// One signed-in browser context per role, screen and colour scheme, made once and reused by the page sweeps:
/// signing in (and the first password change) happens once per role, not once per page.
/// </summary>
public sealed class SignedInPages(PortalFixture fixture) : IAsyncDisposable
{
    private readonly Dictionary<PortalRole, string> _storageStates = [];
    private readonly Dictionary<(PortalRole, int, ColorScheme), IPage> _pages = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PortalUser? _owner;

    /// <summary>Ids the parameterised paths need ({license}, {reseller}, {batch}).</summary>
    public Dictionary<string, string> Ids { get; } = new(StringComparer.Ordinal);

    public async Task<IPage> PageAsync(PortalRole role, int width, ColorScheme scheme = ColorScheme.Light)
    {
        await _gate.WaitAsync();
        try
        {
            if (_pages.TryGetValue((role, width, scheme), out var existing))
            {
                return existing;
            }
            var state = role == PortalRole.Anonymous ? null : await StorageStateAsync(role);
            var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = fixture.Server.WebUrl,
                ViewportSize = Screens.Size(width),
                ColorScheme = scheme,
                StorageState = state,
                AcceptDownloads = true,
            });
            var page = await context.NewPageAsync();
            _pages[(role, width, scheme)] = page;
            return page;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The path with its ids filled in; the reseller's data is made first if no test has made it yet.</summary>
    public async Task<string> ResolveAsync(string path)
    {
        if (path.Contains('{', StringComparison.Ordinal))
        {
            await _gate.WaitAsync();
            try
            {
                await StorageStateAsync(PortalRole.ResellerOwner);
            }
            finally
            {
                _gate.Release();
            }
        }
        foreach (var (name, value) in Ids)
        {
            path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return path;
    }

    private async Task<string> StorageStateAsync(PortalRole role)
    {
        if (_storageStates.TryGetValue(role, out var state))
        {
            return state;
        }
        var user = role switch
        {
            PortalRole.ResellerOwner => await OwnerWithDataAsync(),
            PortalRole.VendorAdmin => await fixture.NewStaffAsync(ApiKeyRole.VendorAdmin),
            _ => await fixture.NewStaffAsync(ApiKeyRole.VendorAuditor),
        };
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await PortalFixture.SignInAsync(page, user);
        if (role == PortalRole.ResellerOwner)
        {
            // A batch of new keys, as the page after assigning shows it (kept for 15 minutes).
            await page.GotoAsync("/reseller/assign");
            await page.GetByLabel("Your references").FillAsync("sweep-001\nsweep-002");
            await page.GetByRole(AriaRole.Button, new() { Name = "Assign licenses" }).ClickAsync();
            await page.WaitForURLAsync(url => url.Contains("/reseller/assigned/", StringComparison.Ordinal));
            Ids["batch"] = page.Url.Split('/')[^1];
        }
        state = await context.StorageStateAsync();
        _storageStates[role] = state;
        return state;
    }

    /// <summary>A reseller with a pool, an activated license, an API key and a second staff member.</summary>
    private async Task<PortalUser> OwnerWithDataAsync()
    {
        _owner ??= await fixture.NewResellerOwnerAsync("Sweep Hosting GmbH");
        var apiKey = (await fixture.Vendor.CreateResellerApiKeyAsync(new CreateResellerApiKeyRequest
        {
            ResellerId = _owner.ResellerId, Name = "billing-system", Role = ApiKeyRole.Manager,
        })).ApiKey;
        var reseller = fixture.Reseller(apiKey);
        var pool = (await reseller.CreateOrderAsync(new CreateOrderRequest { PlanId = fixture.Plan.Id, Quantity = 20, IdempotencyKey = "sweep-order-1" })).Pool;
        var assigned = (await reseller.AssignLicensesAsync(new AssignLicensesRequest { PoolId = pool.Id, Assignments = { new LicenseAssignment { ResellerReference = "cust-a" }, new LicenseAssignment { ResellerReference = "cust-b" }, new LicenseAssignment { ResellerReference = "cust-c" } } })).Licenses;
        var activation = await fixture.Agent.ActivateAsync(new ActivateRequest
        {
            LicenseKey = assigned[0].LicenseKey, Fingerprint = new string('e', 64), ProductVersion = "8.2.1", AgentVersion = "1.0.0", Product = "panel",
        });
        await fixture.Agent.CheckInAsync(new CheckInRequest
        {
            InstallationId = activation.InstallationId, InstallationSecret = activation.InstallationSecret, Fingerprint = new string('e', 64),
            ProductVersion = "8.2.1", AgentVersion = "1.0.0", CheckInTicket = activation.CheckInTicket,
        });
        await fixture.NewStaffAsync(ApiKeyRole.Viewer, _owner.ResellerId);
        Ids["license"] = assigned[0].License.Id;
        Ids["reseller"] = _owner.ResellerId;
        return _owner;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var page in _pages.Values)
        {
            await page.Context.DisposeAsync();
        }
        _gate.Dispose();
    }
}
