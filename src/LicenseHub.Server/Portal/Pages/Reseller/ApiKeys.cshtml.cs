using LicenseHub.Domain.Security;
using LicenseHub.Server.Resellers;
using Microsoft.AspNetCore.Mvc;
using LicenseHub.Server.Security;

namespace LicenseHub.Server.Portal.Pages.Reseller;

[Requires(Permission.ResellerRead)]
public sealed class ApiKeysModel(ResellerAccounts accounts) : PortalPageModel
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public ApiKey? ConfirmRevoke { get; private set; }
    public string? NewKey { get; private set; }
    public string? NewKeyName { get; private set; }

    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }
    [BindProperty(Name = "api_key_id")] public string? ApiKeyId { get; set; }

    public async Task OnGetAsync([FromQuery(Name = "revoke")] string? revoke, CancellationToken ct)
    {
        Keys = await accounts.ListKeysAsync(Caller, null, ct);
        ConfirmRevoke = Keys.FirstOrDefault(k => k.Id.ToString() == revoke && k.RevokedAt is null);
    }

    [Requires(Permission.ResellerManageAccount)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        ApiKeyRole? role = Enum.TryParse<ApiKeyRole>(Role, out var parsed) ? parsed : null;
        if (await TryAsync(async () => (_, NewKey) = await accounts.CreateOwnKeyAsync(Caller, Name, role, ct)))
        {
            NewKeyName = Name?.Trim();
            Name = null;
            Response.Headers.CacheControl = "no-store";
        }
        Keys = await accounts.ListKeysAsync(Caller, null, ct);
        return Page();
    }

    [Requires(Permission.ResellerManageAccount)]
    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken ct)
    {
        if (await TryAsync(() => accounts.RevokeOwnKeyAsync(Caller, ApiKeyId, ct)))
        {
            return Done("The key is revoked.", "/Reseller/ApiKeys");
        }
        Keys = await accounts.ListKeysAsync(Caller, null, ct);
        return Page();
    }
}
