using System.Text.Json;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Validation;
using LicenseHub.Domain.Licensing;
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
        // Validate (the permission is declared on the operation: ResellerGrpcService.CreateOfflineLicense).
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var id = v.Id("license_id", licenseId);
        var request = Decode(v, activationRequest);
        var report = request is null ? null
            : AgentReport.Validate(v, request.Fingerprint, request.ProductVersion, request.AgentVersion, TelemetryLevel.Required,
                prefix: "activation_request.");
        v.ThrowIfInvalid();
        if (!await db.Licenses.AnyAsync(l => l.Id == id && l.ResellerId == resellerId, ct))
        {
            throw new NotFoundException("license", licenseId!);
        }

        var (installationId, subject) = await unitOfWork.RunAsync(async token =>
        {
            // Load and decide under the license lock, as activation does: a revoke or another machine landing
            // in between cannot be missed.
            await DatabaseLocks.LicenseAsync(db, id, token);
            var license = await db.Licenses.AsNoTracking().SingleAsync(l => l.Id == id, token);
            var plan = await db.Plans.AsNoTracking().Include(p => p.Product).SingleAsync(p => p.Id == license.PlanId, token);
            var facts = new LicenseFacts(license.State, license.ExpiresAt, plan.Product!.Code, plan.MaxMachines, clock.Now());
            var existing = await db.Installations.SingleOrDefaultAsync(i => i.LicenseId == id && i.Fingerprint == report!.Fingerprint, token);
            var machines = existing is null ? await Seats.TakenAsync(db, id, token) : 0;
            var requestedProduct = string.IsNullOrEmpty(request!.Product) ? null : request.Product;
            switch (LicenseValidation.Validate(facts, new LicenseRequest(report!.Fingerprint, requestedProduct, IsNewMachine: existing is null, Machines: machines,
                CloneSuspected: existing?.CloneSuspectedAt is not null)))
            {
                case ValidationCode.Valid:
                    break;
                case ValidationCode.CloneSuspected:
                    throw new PreconditionFailedException(
                        "This machine's installation is suspected of running on copies; release it or re-activate it first.");
                case ValidationCode.ProductMismatch:
                    throw new ValidationException("activation_request.product", $"the request is for another product than the license, which is for '{plan.Product.Code}'");
                case ValidationCode.TooManyMachines:
                    throw new PreconditionFailedException(LicenseValidation.Describe(ValidationCode.TooManyMachines, facts));
                case var refused:
                    throw new PreconditionFailedException($"The license is {refused.ToString().ToLowerInvariant()}; an offline license cannot be issued.");
            }

            // Record.
            if (existing is null)
            {
                // Offline machines never check in: the credential is random and never handed out, and there is no ticket.
                existing = Installation.Activate(id, report, InstallationSecret.Hash(InstallationSecret.New()), ticketHash: null, facts.Now);
                db.Installations.Add(existing);
            }
            // The machine never checks in: retention keeps its seat while the file can still license it.
            // (A perpetual license's file never expires: no grace is added to its expiry, which is the last date there is.)
            existing.LicensedOfflineUntil(license.IsPerpetual ? license.ExpiresAt : license.ExpiresAt.AddDays(plan.OfflineGraceDays));
            // The signing key must stay published until this file expires.
            var signer = await keys.GetSignerAsync(token);
            var key = await db.SigningKeys.SingleAsync(k => k.Kid == signer.Kid, token);
            if (key.LastTokenExpiresAt is null || key.LastTokenExpiresAt < license.ExpiresAt)
            {
                key.LastTokenExpiresAt = license.ExpiresAt;
            }
            await audit.AppendAsync(caller.ActorId, "license.offline_file", "license", license.Id.ToString(), $"installation={existing.Id}", token);
            return (existing.Id, TokenSubject.Of(license, plan, plan.Product.Code));
        }, ct);

        // Sign and answer.
        return await tokens.IssueAsync(subject, installationId, report!.Fingerprint, TokenTypes.OfflineLicense, ct);
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
