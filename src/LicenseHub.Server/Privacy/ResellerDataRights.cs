using System.Text.Json;
using LicenseHub.Data;
using LicenseHub.Domain;
using LicenseHub.Domain.Resellers;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Security;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Operations;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Privacy;

public sealed record ProfileChange(string? CompanyName, string? Country, string? VatId, string? BillingContactName, string? BillingContactEmail);

/// <summary>
/// A reseller's data rights, each one call and each audited: access/export, correction, restriction of
/// processing, deletion.
/// </summary>
public sealed class ResellerDataRights(LicenseHubDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<string> ExportAsync(Caller caller, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var reseller = await db.Resellers.AsNoTracking().SingleAsync(r => r.Id == resellerId, ct);
        var covered = (await db.OrderLicenses.AsNoTracking().Where(l => db.Orders.Any(o => o.Id == l.OrderId && o.ResellerId == resellerId))
                .ToListAsync(ct))
            .GroupBy(l => l.OrderId).ToDictionary(g => g.Key, g => g.Select(l => l.LicenseId).Order().ToList());
        var export = new
        {
            exported_at = clock.Now(),
            account = new
            {
                reseller.Id, reseller.CompanyName, reseller.Country, reseller.VatId, reseller.BillingContactName, reseller.BillingContactEmail,
                Status = reseller.Status.ToString(), reseller.ProcessingRestricted, reseller.CreatedAt,
            },
            api_keys = await db.ApiKeys.AsNoTracking().Where(k => k.ResellerId == resellerId)
                .Select(k => new { k.Id, k.Name, Role = k.Role.ToString(), Prefix = "lh_" + k.Prefix, k.CreatedAt, k.RevokedAt }).ToListAsync(ct),
            pools = await db.Pools.AsNoTracking().Where(p => p.ResellerId == resellerId)
                .Select(p => new { p.Id, p.PlanId, p.Purchased, p.Assigned, p.CreatedAt }).ToListAsync(ct),
            orders = (await db.Orders.AsNoTracking().Where(o => o.ResellerId == resellerId)
                .Select(o => new { o.Id, o.Kind, o.PlanId, o.FromPlanId, o.PoolId, o.Quantity, o.Terms, o.AmountMinor, o.Currency, o.IdempotencyKey, o.CreatedAt })
                .ToListAsync(ct))
                .Select(o => new
                {
                    o.Id, Kind = o.Kind.ToString(), o.PlanId, o.FromPlanId, o.PoolId, o.Quantity, o.Terms, o.AmountMinor, o.Currency, o.IdempotencyKey,
                    o.CreatedAt, LicenseIds = covered.GetValueOrDefault(o.Id) ?? [],
                }),
            licenses = (await db.Licenses.AsNoTracking().Where(l => l.ResellerId == resellerId)
                .Select(l => new { l.Id, l.PoolId, l.PlanId, l.PendingPlanId, l.KeyPrefix, l.State, l.ResellerReference, l.CreatedAt, l.ExpiresAt, l.ReturnedAt, l.TransfersUsed })
                .ToListAsync(ct))
                .Select(l => new
                {
                    l.Id, l.PoolId, l.PlanId, l.PendingPlanId, l.KeyPrefix, State = l.State.ToString(), l.ResellerReference, l.CreatedAt, l.ExpiresAt,
                    l.ReturnedAt, l.TransfersUsed,
                }),
            note = "License keys and API keys are not included: the server stores only their hashes (and, for 24 hours after an assignment "
                + "made with an idempotency key, the keys encrypted under the key-encryption key, to answer a retry).",
        };
        var json = JsonSerializer.Serialize(export, Json);
        await unitOfWork.RunAsync(async token =>
        {
            await audit.AppendAsync(caller.ActorId, "reseller.export", "reseller", resellerId.ToString(), null, token);
            return 0;
        }, ct);
        return json;
    }

    public async Task<Reseller> UpdateProfileAsync(Caller caller, ProfileChange change, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        var v = new Validator();
        var company = change.CompanyName is null ? null : v.Text("company_name", change.CompanyName, 200);
        var country = change.Country is null ? null : v.Country("country", change.Country);
        var vat = change.VatId is null ? null : v.OptionalText("vat_id", change.VatId, 32) ?? "";
        var name = change.BillingContactName is null ? null : v.Text("billing_contact_name", change.BillingContactName, 200);
        var email = change.BillingContactEmail is null ? null : v.Email("billing_contact_email", change.BillingContactEmail);
        v.ThrowIfInvalid();
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleAsync(r => r.Id == resellerId, token);
            var changed = new List<string>();
            if (company is not null) { reseller.CompanyName = company; changed.Add("company_name"); }
            if (country is not null) { reseller.Country = country; changed.Add("country"); }
            if (vat is not null) { reseller.VatId = vat.Length == 0 ? null : vat; changed.Add("vat_id"); }
            if (name is not null) { reseller.BillingContactName = name; changed.Add("billing_contact_name"); }
            if (email is not null) { reseller.BillingContactEmail = email; changed.Add("billing_contact_email"); }
            // Which fields changed, never their values.
            await audit.AppendAsync(caller.ActorId, "reseller.correct", "reseller", resellerId.ToString(), $"fields={string.Join(',', changed)}", token);
            return reseller;
        }, ct);
    }

    public async Task<Reseller> SetRestrictionAsync(Caller caller, bool restricted, CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleAsync(r => r.Id == resellerId, token);
            reseller.ProcessingRestricted = restricted;
            await audit.AppendAsync(caller.ActorId, restricted ? "reseller.restrict" : "reseller.unrestrict", "reseller", resellerId.ToString(), null, token);
            return reseller;
        }, ct);
    }

    public async Task<(IReadOnlyList<string> Erased, IReadOnlyList<string> Kept)> DeleteAccountAsync(Caller caller, string? confirmResellerId,
        CancellationToken ct)
    {
        var resellerId = caller.OwnResellerId;
        if (!string.Equals(confirmResellerId?.Trim(), resellerId.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new ValidationException("confirm_reseller_id", "must be this account's id, to confirm the deletion");
        }
        return await unitOfWork.RunAsync(async token =>
        {
            var reseller = await db.Resellers.SingleAsync(r => r.Id == resellerId, token);
            reseller.CompanyName = $"deleted reseller {resellerId.ToString()[..8]}";
            reseller.VatId = null;
            reseller.BillingContactName = null;
            reseller.BillingContactEmail = null;
            reseller.Status = ResellerStatus.Deleted;
            var now = clock.Now();
            var keys = await db.ApiKeys.Where(k => k.ResellerId == resellerId && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), token);
            var references = await db.Licenses.Where(l => l.ResellerId == resellerId && l.ResellerReference != null)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ResellerReference, (string?)null), token);
            // License keys kept for replaying a recent assignment are secrets of the account: erased now.
            await db.AssignmentReplayKeys.Where(k => db.AssignmentReplays.Any(r => r.Id == k.AssignmentReplayId && r.ResellerId == resellerId))
                .ExecuteDeleteAsync(token);
            await db.AssignmentReplays.Where(r => r.ResellerId == resellerId).ExecuteDeleteAsync(token);
            // Portal sign-ins hold staff e-mail addresses and names: deleted with their claims and tokens.
            var staff = await db.Users.Where(u => u.ResellerId == resellerId).ExecuteDeleteAsync(token);
            // Free-text notes about the account (a suspension reason): the chain keeps only their salted digests.
            var notes = await db.AuditNotes.Where(n => n.ResellerId == resellerId).ExecuteDeleteAsync(token);
            // Webhook endpoints (URLs of the reseller's systems) and their deliveries go; the events stay in the feed,
            // keeping its sequence gap-free, with their data erased (it may hold the reseller's own references).
            await db.WebhookDeliveries.Where(d => d.ResellerId == resellerId).ExecuteDeleteAsync(token);
            await db.WebhookEndpoints.Where(e => e.ResellerId == resellerId).ExecuteDeleteAsync(token);
            await db.ResellerPrices.Where(p => p.ResellerId == resellerId).ExecuteDeleteAsync(token);
            await db.Events.Where(e => e.ResellerId == resellerId)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Data, "{\"erased\":true}"), token);
            await audit.AppendAsync(caller.ActorId, "reseller.delete", "reseller", resellerId.ToString(),
                $"api_keys_revoked={keys};staff_deleted={staff}", token);
            IReadOnlyList<string> erased =
            [
                "company name (replaced by a pseudonym), VAT id, billing contact name and e-mail",
                $"{keys} API key(s) revoked and {staff} portal sign-in(s) deleted with their e-mail addresses and names; the account can no longer sign in",
                $"reseller references on {references} license(s)",
                $"{notes} note(s) written about the account, such as a suspension reason (the audit trail keeps only a salted hash of each, and still verifies)",
            ];
            IReadOnlyList<string> kept =
            [
                "orders (amount, currency, date) for the legal retention period of financial records, linked only to the pseudonymous account id",
                "assigned licenses keep working until they expire, so your customers do not lose service (the vendor may still revoke them)",
                "the audit trail of actions on the account (ids and actions only, no personal data) until its retention window ends",
            ];
            return (erased, kept);
        }, ct);
    }
}
