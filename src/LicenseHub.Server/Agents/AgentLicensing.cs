using System.Security.Cryptography;
using System.Text;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Catalog;
using LicenseHub.Domain.Installations;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using LicenseHub.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Agents;

/// <summary>Result of a license check: a failed check is an answer, not an error.</summary>
public enum ValidationCode
{
    Valid,
    Suspended,
    Revoked,
    Expired,
    NotFound,
    TooManyMachines,
    FingerprintMismatch,
    ProductMismatch,
    InstallationReleased,
}

public sealed record ActivationOutcome(ValidationCode Code, string Detail, Guid? InstallationId = null, string? Secret = null,
    string? Token = null, Guid? LicenseId = null);

public sealed record CheckInOutcome(ValidationCode Code, string Detail, string? Token = null);

/// <summary>Activation, check-in and forgetting of installations, as called by lh-agent.</summary>
public sealed class AgentLicensing(
    LicenseHubDbContext db,
    UnitOfWork unitOfWork,
    AuditTrail audit,
    TokenIssuer tokens,
    ActivationThrottle throttle,
    Operations.LicenseHubTelemetry telemetry,
    TimeProvider clock)
{
    public async Task<ActivationOutcome> ActivateAsync(string source, string? licenseKey, string? product, AgentFields fields, Validator v,
        CancellationToken ct)
    {
        var outcome = await ActivateCoreAsync(source, licenseKey, product, fields, v, ct);
        telemetry.Activation(outcome.Code.ToString());
        return outcome;
    }

    private async Task<ActivationOutcome> ActivateCoreAsync(string source, string? licenseKey, string? product, AgentFields fields, Validator v,
        CancellationToken ct)
    {
        throttle.ThrowIfBlocked(source);
        if (!LicenseKey.TryNormalize(licenseKey, out var normalized))
        {
            v.Fail("license_key", "is not a valid license key; check it for typos (groups of five letters and digits)");
        }
        var productCode = string.IsNullOrWhiteSpace(product) ? null : v.Slug("product", product);
        if (v.Violations.Count > 0)
        {
            if (v.Violations.Any(x => x.Field == "license_key"))
            {
                throttle.RecordFailure(source);
            }
            v.ThrowIfInvalid();
        }

        var hash = LicenseKey.Hash(normalized);
        var license = await db.Licenses.AsNoTracking().SingleOrDefaultAsync(l => l.KeyHash == hash, ct);
        if (license is null)
        {
            throttle.RecordFailure(source);
            return new ActivationOutcome(ValidationCode.NotFound, "No license has this key.");
        }
        var plan = await db.Plans.AsNoTracking().Include(p => p.Product).SingleAsync(p => p.Id == license.PlanId, ct);
        var now = clock.Now();
        if (StateCode(license, now) is { } refused)
        {
            return new ActivationOutcome(refused, Describe(refused), LicenseId: license.Id);
        }
        if (productCode is not null && productCode != plan.Product!.Code)
        {
            return new ActivationOutcome(ValidationCode.ProductMismatch, $"This license is for product '{plan.Product.Code}'.", LicenseId: license.Id);
        }

        var secret = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var outcome = await unitOfWork.RunAsync(async token =>
        {
            // The count below decides; on PostgreSQL the license row lock keeps another replica from deciding at the same time.
            await DatabaseLocks.LicenseAsync(db, license.Id, token);
            var installation = await db.Installations.SingleOrDefaultAsync(i => i.LicenseId == license.Id && i.Fingerprint == fields.Fingerprint, token);
            if (installation is null)
            {
                var count = await db.Installations.CountAsync(i => i.LicenseId == license.Id, token);
                if (count >= plan.MaxMachines)
                {
                    return null;
                }
                installation = new Installation
                {
                    Id = Guid.CreateVersion7(),
                    LicenseId = license.Id,
                    Fingerprint = fields.Fingerprint,
                    SecretHash = HashSecret(secret),
                    ProductVersion = fields.ProductVersion,
                    AgentVersion = fields.AgentVersion,
                    ActivatedAt = now,
                    LastCheckInAt = now,
                };
                db.Installations.Add(installation);
                await audit.AppendAsync("agent", "installation.activate", "installation", installation.Id.ToString(), $"license={license.Id}", token);
            }
            else
            {
                // Re-activation of the same machine: same installation, new credential (the old one stops working).
                installation.SecretHash = HashSecret(secret);
                installation.LastCheckInAt = now;
                await audit.AppendAsync("agent", "installation.reactivate", "installation", installation.Id.ToString(), $"license={license.Id}", token);
            }
            Apply(installation, fields);
            db.CheckIns.Add(NewCheckIn(installation, plan.Product!.Code, fields, now, ValidationCode.Valid));
            return installation;
        }, ct);
        if (outcome is null)
        {
            return new ActivationOutcome(ValidationCode.TooManyMachines,
                $"The license is already active on {plan.MaxMachines} machine(s); release one first.", LicenseId: license.Id);
        }
        var (jws, _) = await tokens.IssueAsync(TokenSubject.Of(license, plan, plan.Product!.Code), outcome.Id, fields.Fingerprint, TokenTypes.License, ct);
        return new ActivationOutcome(ValidationCode.Valid, "Activated.", outcome.Id, secret, jws, license.Id);
    }

    public async Task<CheckInOutcome> CheckInAsync(Guid installationId, string secret, AgentFields fields, CancellationToken ct)
    {
        var outcome = await CheckInCoreAsync(installationId, secret, fields, ct);
        telemetry.CheckIn(outcome.Code.ToString());
        return outcome;
    }

    private async Task<CheckInOutcome> CheckInCoreAsync(Guid installationId, string secret, AgentFields fields, CancellationToken ct)
    {
        // One query for what the answer needs: a check-in is the hot path, and each round trip through EF
        // costs about as much as the signature.
        var subject = await LoadCheckInSubject(db, installationId, ct);
        if (subject is null)
        {
            return Released();
        }
        var (installation, licenseState, token) = subject;
        if (!CryptographicOperations.FixedTimeEquals(installation.SecretHash, HashSecret(secret)))
        {
            throw new UnauthenticatedException("The installation credential is not valid; activate again.");
        }
        var now = clock.Now();
        var code = installation.Fingerprint != fields.Fingerprint
            ? ValidationCode.FingerprintMismatch
            : StateCode(License.EffectiveStateOf(licenseState, token.LicenseExpiresAt, now)) ?? ValidationCode.Valid;

        try
        {
            await CheckInCommits.For(db).CommitAsync(new PendingCheckIn(installation, token.ProductCode, fields, now, code), db, unitOfWork);
        }
        catch (InstallationGoneException)
        {
            return Released();
        }

        if (code != ValidationCode.Valid)
        {
            return new CheckInOutcome(code, Describe(code));
        }
        var (jws, _) = await tokens.IssueAsync(token, installation.Id, installation.Fingerprint, TokenTypes.License, ct);
        return new CheckInOutcome(ValidationCode.Valid, "Valid.", jws);
    }

    private static CheckInOutcome Released() =>
        new(ValidationCode.InstallationReleased, "This installation is no longer registered (released or forgotten); activate again.");

    /// <summary>Applies one check-in to its installation and returns the check-in record to write.</summary>
    internal static CheckIn RecordCheckIn(Installation installation, string productCode, AgentFields fields, DateTimeOffset now, ValidationCode code)
    {
        installation.LastCheckInAt = now;
        if (code != ValidationCode.FingerprintMismatch)
        {
            installation.ProductVersion = fields.ProductVersion;
            installation.AgentVersion = fields.AgentVersion;
            Apply(installation, fields);
        }
        return NewCheckIn(installation, productCode, fields, now, code);
    }

    /// <summary>What a check-in reads: the installation, and of its license, plan and product only what the answer needs.</summary>
    private sealed record CheckInSubject(Installation Installation, LicenseState LicenseState, TokenSubject Token);

    // Only the columns the answer needs: SQLite parses and plans every statement anew, and the whole rows
    // of four tables made that the larger part of the read.
    private static readonly Func<LicenseHubDbContext, Guid, CancellationToken, Task<CheckInSubject?>> LoadCheckInSubject =
        EF.CompileAsyncQuery((LicenseHubDbContext context, Guid id, CancellationToken _) =>
            (from i in context.Installations.AsNoTracking()
             join l in context.Licenses.AsNoTracking() on i.LicenseId equals l.Id
             join p in context.Plans.AsNoTracking() on l.PlanId equals p.Id
             join pr in context.Products.AsNoTracking() on p.ProductId equals pr.Id
             where i.Id == id
             select new CheckInSubject(i, l.State, new TokenSubject(l.Id, l.ExpiresAt, p.Code, p.Edition, p.OfflineGraceDays, pr.Code)))
            .FirstOrDefault());

    /// <summary>Deletes the installation and its check-ins ("lh-agent forget").</summary>
    public async Task<bool> DeactivateAsync(Guid installationId, string secret, CancellationToken ct)
    {
        var installation = await AuthenticateAsync(installationId, secret, ct);
        if (installation is null)
        {
            return false;
        }
        await unitOfWork.RunAsync(async token =>
        {
            await db.CheckIns.Where(c => c.InstallationId == installationId).ExecuteDeleteAsync(token);
            await db.Installations.Where(i => i.Id == installationId).ExecuteDeleteAsync(token);
            await audit.AppendAsync("agent", "installation.forget", "installation", installationId.ToString(), $"license={installation.LicenseId}", token);
            return 0;
        }, ct);
        return true;
    }

    private async Task<Installation?> AuthenticateAsync(Guid installationId, string secret, CancellationToken ct)
    {
        var installation = await db.Installations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == installationId, ct);
        if (installation is null)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(installation.SecretHash, HashSecret(secret)))
        {
            throw new UnauthenticatedException("The installation credential is not valid; activate again.");
        }
        return installation;
    }

    private static void Apply(Installation installation, AgentFields fields)
    {
        installation.TelemetryLevel = fields.Level;
        if (fields.Level == TelemetryLevel.Required)
        {
            // Narrowing consent erases what was shared before, at this very check-in.
            installation.EraseOptionalTelemetry();
            return;
        }
        installation.OsFamily = fields.OsFamily;
        installation.OsVersion = fields.OsVersion;
        installation.CpuArchitecture = fields.CpuArchitecture;
        installation.CpuCores = fields.CpuCores;
    }

    private static CheckIn NewCheckIn(Installation installation, string productCode, AgentFields fields, DateTimeOffset now, ValidationCode code) => new()
    {
        InstallationId = installation.Id,
        ProductCode = productCode,
        At = now,
        ProductVersion = fields.ProductVersion,
        OsFamily = fields.Level == TelemetryLevel.Basic ? fields.OsFamily : null,
        Result = code.ToString(),
    };

    public static ValidationCode? StateCode(License license, DateTimeOffset now) => StateCode(license.EffectiveState(now));

    private static ValidationCode? StateCode(LicenseState effective) => effective switch
    {
        LicenseState.Active => null,
        LicenseState.Suspended => ValidationCode.Suspended,
        LicenseState.Revoked => ValidationCode.Revoked,
        _ => ValidationCode.Expired,
    };

    private static string Describe(ValidationCode code) => code switch
    {
        ValidationCode.Suspended => "The license is suspended; contact your provider.",
        ValidationCode.Revoked => "The license has been revoked.",
        ValidationCode.Expired => "The license has expired; ask your provider to renew it.",
        ValidationCode.FingerprintMismatch => "This credential belongs to another machine; activate this machine with its own license.",
        _ => code.ToString(),
    };

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
