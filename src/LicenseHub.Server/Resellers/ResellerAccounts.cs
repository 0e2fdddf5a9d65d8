using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Audit;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Security;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Resellers;

public sealed record NewReseller(string CompanyName, string Country, string VatId, string BillingContactName, string BillingContactEmail);

/// <summary>Reseller accounts and the API keys of resellers and vendor staff.</summary>
public sealed class ResellerAccounts(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock)
{
    public async Task<Reseller> CreateAsync(Caller caller, NewReseller request, CancellationToken ct)
    {
        var v = new Validator();
        var reseller = new Reseller
        {
            Id = Guid.CreateVersion7(),
            CompanyName = v.Text("company_name", request.CompanyName, 200),
            Country = v.Country("country", request.Country),
            VatId = v.OptionalText("vat_id", request.VatId, 32),
            BillingContactName = v.Text("billing_contact_name", request.BillingContactName, 200),
            BillingContactEmail = v.Email("billing_contact_email", request.BillingContactEmail),
            Status = ResellerStatus.Active,
            CreatedAt = clock.Now(),
        };
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            db.Resellers.Add(reseller);
            await audit.AppendAsync(caller.ActorId, "reseller.create", "reseller", reseller.Id.ToString(), null, token);
            return reseller;
        }, ct);
    }

    /// <summary>For the vendor, the reseller named; for a reseller, its own account (the id is ignored).</summary>
    public async Task<Reseller> GetAsync(Caller caller, string? resellerId, CancellationToken ct)
    {
        Guid id;
        if (caller.IsVendor)
        {
            var v = new Validator();
            id = v.Id("reseller_id", resellerId);
            v.ThrowIfInvalid();
        }
        else
        {
            id = caller.OwnResellerId;
        }
        var reseller = await db.Resellers.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct)
            ?? throw new NotFoundException("reseller", resellerId ?? id.ToString());
        if (caller.IsVendor)
        {
            await AuditPersonalDataReadAsync(caller, [reseller.Id], ct);
        }
        return reseller;
    }

    /// <summary>Vendor staff reading resellers' personal data is itself written to the audit trail.</summary>
    private async Task AuditPersonalDataReadAsync(Caller caller, IReadOnlyList<Guid> resellerIds, CancellationToken ct)
    {
        if (resellerIds.Count == 0)
        {
            return;
        }
        await unitOfWork.RunAsync(async token =>
        {
            var target = resellerIds.Count == 1 ? resellerIds[0].ToString() : "many";
            await audit.AppendAsync(caller.ActorId, "reseller.read_personal", "reseller", target, $"count={resellerIds.Count}", token);
            return 0;
        }, ct);
    }

    public async Task<(IReadOnlyList<Reseller> Items, string Next)> ListAsync(Caller caller, int pageSize, string? pageToken,
        ResellerStatus? status, CancellationToken ct)
    {
        var v = new Validator();
        var page = PageSpec.From(v, pageSize, pageToken);
        v.ThrowIfInvalid();
        var query = db.Resellers.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }
        var (shown, next) = page.Cut(await page.Window(query, r => r.Id).ToListAsync(ct), r => r.Id);
        await AuditPersonalDataReadAsync(caller, shown.Select(r => r.Id).ToList(), ct);
        return (shown, next);
    }

    /// <summary>Sets how many trial licenses the reseller may take per calendar month (UTC).</summary>
    public async Task<Reseller> SetTrialQuotaAsync(Caller caller, string? resellerId, int trialsPerMonth, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("reseller_id", resellerId);
        v.Range("trials_per_month", trialsPerMonth, 0, Reseller.MaxTrialsPerMonth);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleOrDefaultAsync(r => r.Id == id, token) ?? throw new NotFoundException("reseller", resellerId!);
            if (reseller.Status == ResellerStatus.Deleted)
            {
                throw new PreconditionFailedException("The reseller account has been deleted.");
            }
            reseller.TrialsPerMonth = trialsPerMonth;
            await audit.AppendAsync(caller.ActorId, "reseller.trial_quota", "reseller", reseller.Id.ToString(), $"trials_per_month={trialsPerMonth}", token);
            return reseller;
        }, ct);
    }

    public Task<Reseller> SuspendAsync(Caller caller, string? resellerId, string? reason, CancellationToken ct) =>
        SetStatusAsync(caller, resellerId, ResellerStatus.Suspended, reason, ct);

    public Task<Reseller> ResumeAsync(Caller caller, string? resellerId, CancellationToken ct) =>
        SetStatusAsync(caller, resellerId, ResellerStatus.Active, null, ct);

    private async Task<Reseller> SetStatusAsync(Caller caller, string? resellerId, ResellerStatus status, string? reason, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("reseller_id", resellerId);
        var validReason = v.OptionalText("reason", reason, AuditNote.MaxLength);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleOrDefaultAsync(r => r.Id == id, token)
                ?? throw new NotFoundException("reseller", resellerId!);
            if (reseller.Status == ResellerStatus.Deleted)
            {
                throw new PreconditionFailedException("The reseller account has been deleted.");
            }
            reseller.Status = status;
            await audit.AppendAsync(caller.ActorId, status == ResellerStatus.Suspended ? "reseller.suspend" : "reseller.resume",
                "reseller", reseller.Id.ToString(), null, reseller.Id, validReason, token);
            return reseller;
        }, ct);
    }

    public async Task<(ApiKey Info, string Key)> CreateResellerKeyAsync(Caller caller, string? resellerId, string? name, ApiKeyRole? role,
        CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("reseller_id", resellerId);
        var validName = v.Text("name", name, 100);
        if (role is not (ApiKeyRole.Owner or ApiKeyRole.Manager or ApiKeyRole.Viewer))
        {
            v.Fail("role", "must be OWNER, MANAGER or VIEWER for a reseller key");
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            if (!await db.Resellers.AnyAsync(r => r.Id == id && r.Status != ResellerStatus.Deleted, token))
            {
                throw new NotFoundException("reseller", resellerId!);
            }
            return await IssueKeyAsync(caller.ActorId, id, validName, role!.Value, token);
        }, ct);
    }

    /// <summary>A reseller owner issues a key for its own account (billing system, scripts); shown once.</summary>
    public async Task<(ApiKey Info, string Key)> CreateOwnKeyAsync(Caller caller, string? name, ApiKeyRole? role, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var validName = v.Text("name", name, 100);
        if (role is not (ApiKeyRole.Owner or ApiKeyRole.Manager or ApiKeyRole.Viewer))
        {
            v.Fail("role", "must be owner, manager or viewer");
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(token => IssueKeyAsync(caller.ActorId, resellerId, validName, role!.Value, token), ct);
    }

    /// <summary>A reseller owner revokes one of its own keys; another reseller's key is not found.</summary>
    public async Task<ApiKey> RevokeOwnKeyAsync(Caller caller, string? apiKeyId, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("api_key_id", apiKeyId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.ResellerId == resellerId, token)
                ?? throw new NotFoundException("api key", apiKeyId!);
            if (key.RevokedAt is null)
            {
                key.RevokedAt = clock.Now();
                await audit.AppendAsync(caller.ActorId, "apikey.revoke", "apikey", key.Id.ToString(), null, token);
            }
            return key;
        }, ct);
    }

    public async Task<(ApiKey Info, string Key)> CreateVendorKeyAsync(Caller caller, string? name, ApiKeyRole? role, CancellationToken ct)
    {
        var v = new Validator();
        var validName = v.Text("name", name, 100);
        if (role is not (ApiKeyRole.VendorAdmin or ApiKeyRole.VendorAuditor))
        {
            v.Fail("role", "must be VENDOR_ADMIN or VENDOR_AUDITOR for a vendor key");
        }
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(token => IssueKeyAsync(caller.ActorId, null, validName, role!.Value, token), ct);
    }

    /// <summary>Creates a key inside the caller's unit of work. Also used by first-start bootstrap.</summary>
    public async Task<(ApiKey Info, string Key)> IssueKeyAsync(string actorId, Guid? resellerId, string name, ApiKeyRole role,
        CancellationToken ct)
    {
        var (secret, prefix) = ApiKeySecret.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            ResellerId = resellerId,
            Name = name,
            Role = role,
            Prefix = prefix,
            SecretHash = ApiKeySecret.Hash(secret),
            CreatedAt = clock.Now(),
        };
        db.ApiKeys.Add(key);
        await audit.AppendAsync(actorId, "apikey.create", "apikey", key.Id.ToString(), $"role={role}", ct);
        return (key, secret);
    }

    public async Task<ApiKey> RevokeKeyAsync(Caller caller, string? apiKeyId, CancellationToken ct)
    {
        var v = new Validator();
        var id = v.Id("api_key_id", apiKeyId);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, token) ?? throw new NotFoundException("api key", apiKeyId!);
            if (key.RevokedAt is null)
            {
                key.RevokedAt = clock.Now();
                await audit.AppendAsync(caller.ActorId, "apikey.revoke", "apikey", key.Id.ToString(), null, token);
            }
            return key;
        }, ct);
    }

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(Caller caller, string? resellerId, CancellationToken ct)
    {
        Guid? id;
        if (caller.IsVendor)
        {
            var v = new Validator();
            id = v.OptionalId("reseller_id", resellerId);
            v.ThrowIfInvalid();
        }
        else
        {
            id = caller.OwnResellerId;
        }
        return await db.ApiKeys.AsNoTracking().Where(k => k.ResellerId == id).OrderBy(k => k.CreatedAt).ToListAsync(ct);
    }
}
