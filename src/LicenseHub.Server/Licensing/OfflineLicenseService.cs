using System.Text.Json;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Agents;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Licensing;

/// <summary>
/// Signed offline license files for air-gapped servers: bound to the machine's fingerprint from its
/// activation request, expiring with the license. The machine counts towards the plan's max machines.
/// </summary>
public sealed class OfflineLicenseService(
    LicenseHubDbContext db,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    TokenIssuer tokens,
    Signing.SigningKeyStore keys,
    TimeProvider clock)
{
    public async Task<(string File, DateTimeOffset ExpiresAt)> CreateAsync(Caller caller, string? licenseId, string? activationRequest,
        CancellationToken ct)
    {
        var resellerId = caller.ResellerId!.Value;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var request = Decode(v, activationRequest);
        AgentFields? fields = null;
        if (request is not null)
        {
            var check = new V1.ActivateRequest { Fingerprint = request.Fingerprint ?? "", ProductVersion = request.ProductVersion ?? "", AgentVersion = request.AgentVersion ?? "" };
            var inner = new Validator();
            fields = AgentContract.Validate(inner, check, check.Fingerprint, check.ProductVersion, check.AgentVersion, V1.TelemetryLevel.Required, null);
            foreach (var violation in inner.Violations)
            {
                v.Fail($"activation_request.{violation.Field}", violation.Description);
            }
        }
        v.ThrowIfInvalid();

        var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ResellerId == resellerId, ct)
            ?? throw new NotFoundException("license", licenseId!);
        var plan = await db.Plans.AsNoTracking().Include(p => p.Product).SingleAsync(p => p.Id == license.PlanId, ct);
        if (AgentLicensing.StateCode(license, clock.Now()) is { } refused)
        {
            throw new PreconditionFailedException($"The license is {refused.ToString().ToLowerInvariant()}; an offline license cannot be issued.");
        }
        if (!string.IsNullOrEmpty(request!.Product) && request.Product != plan.Product!.Code)
        {
            throw new ValidationException("activation_request.product", $"the request is for product '{request.Product}', the license for '{plan.Product!.Code}'");
        }

        var installationId = await unitOfWork.RunAsync(async token =>
        {
            await DatabaseLocks.LicenseAsync(db, id, token);
            var existing = await db.Installations.SingleOrDefaultAsync(i => i.LicenseId == id && i.Fingerprint == fields!.Fingerprint, token);
            if (existing is null)
            {
                if (await db.Installations.CountAsync(i => i.LicenseId == id, token) >= plan.MaxMachines)
                {
                    throw new PreconditionFailedException($"The license is already active on {plan.MaxMachines} machine(s); release one first.");
                }
                existing = new Installation
                {
                    Id = Guid.CreateVersion7(),
                    LicenseId = id,
                    Fingerprint = fields!.Fingerprint,
                    // Offline machines never check in: the credential is random and never handed out.
                    SecretHash = AgentLicensing.HashSecret(Base64Url.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
                    ProductVersion = fields.ProductVersion,
                    AgentVersion = fields.AgentVersion,
                    ActivatedAt = clock.Now(),
                    LastCheckInAt = clock.Now(),
                };
                db.Installations.Add(existing);
            }
            // The signing key must stay published until this file expires.
            var signer = await keys.GetSignerAsync(token);
            var key = await db.SigningKeys.SingleAsync(k => k.Kid == signer.Kid, token);
            if (key.LastTokenExpiresAt is null || key.LastTokenExpiresAt < license.ExpiresAt)
            {
                key.LastTokenExpiresAt = license.ExpiresAt;
            }
            await audit.AppendAsync(caller.ActorId, "license.offline_file", "license", license.Id.ToString(), $"installation={existing.Id}", token);
            return existing.Id;
        }, ct);
        return await tokens.IssueAsync(TokenSubject.Of(license, plan, plan.Product!.Code), installationId, fields!.Fingerprint,
            TokenTypes.OfflineLicense, ct);
    }

    private sealed class ActivationRequestJson
    {
        public string? Product { get; set; }
        public string? Fingerprint { get; set; }
        public string? ProductVersion { get; set; }
        public string? AgentVersion { get; set; }
    }

    private static ActivationRequestJson? Decode(Validator v, string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2048)
        {
            v.Fail("activation_request", "is required: paste the text printed by 'lh-agent request'");
            return null;
        }
        try
        {
            var json = Base64Url.Decode(text.Trim());
            var request = JsonSerializer.Deserialize<ActivationRequestJson>(json, new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
            });
            if (request is null)
            {
                v.Fail("activation_request", "is empty");
            }
            return request;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            v.Fail("activation_request", "is not an activation request printed by 'lh-agent request'");
            return null;
        }
    }
}
