namespace LicenseHub.Server.Audit;

/// <summary>
/// The actions the server writes to the audit trail, for filtering by one. Kept by hand: add an action here when
/// adding an <see cref="AuditTrail.AppendAsync(string, string, string, string, string?, CancellationToken)"/> call;
/// a test checks that the actions of a run of buying, assigning and revoking are all here.
/// </summary>
public static class AuditActions
{
    public static readonly IReadOnlyList<string> Known =
    [
        "apikey.create", "apikey.revoke",
        "feature.create",
        "installation.activate", "installation.clone_suspected", "installation.forget", "installation.reactivate",
        "installation.release", "installation.resolve_clone",
        "license.add_on_remove", "license.assign", "license.downgrade_scheduled", "license.offline_file",
        "license.plan_change_cancelled", "license.reissue_key", "license.restore_transfers", "license.resume",
        "license.return", "license.revoke", "license.suspend",
        "order.add_on", "order.create", "order.renewal", "order.upgrade",
        "plan.create", "plan.features", "plan.update",
        "price.remove", "price.set",
        "product.create",
        "reseller.correct", "reseller.create", "reseller.delete", "reseller.event_settings", "reseller.export",
        "reseller.read_personal", "reseller.restrict", "reseller.resume", "reseller.suspend", "reseller.trial_quota",
        "reseller.unrestrict",
        "rootkey.create", "rootkey.rotation.begin", "rootkey.rotation.finish",
        "signingkey.certify", "signingkey.create", "signingkey.rotate",
        "staff.create", "staff.password_reset", "staff.remove", "staff.role", "staff.unlock",
        "webhook.create", "webhook.delete", "webhook.disable", "webhook.enable", "webhook.redeliver",
    ];
}
