using LicenseHub.Server.Security;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal.Pages.Audit;

public sealed record ChainVerification(bool Intact, long Checked, long FirstBroken, string Problem);

[Requires(Permission.VendorAudit)]
public sealed class TrailModel(Server.Audit.AuditTrail audit) : PortalPageModel
{
    public IReadOnlyList<Domain.Audit.AuditEvent> Events { get; private set; } = [];
    public string Next { get; private set; } = "";
    /// <summary>Texts of the notes the listed events name (kept apart from the chain), by note id.</summary>
    public IReadOnlyDictionary<Guid, string> Notes { get; private set; } = new Dictionary<Guid, string>();
    public ChainVerification? Verification { get; private set; }

    [FromQuery(Name = "object")] public string? ObjectId { get; set; }
    [FromQuery(Name = "after")] public string? After { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    // Verifying the chain is an auditor's read like the list: the page's declaration covers it.
    public async Task OnPostVerifyAsync(CancellationToken ct)
    {
        var (intact, count, broken, problem) = await audit.VerifyAsync(ct);
        Verification = new ChainVerification(intact, count, broken, problem);
        await LoadAsync(ct);
    }

    private async Task LoadAsync(CancellationToken ct) =>
        await TryAsync(async () =>
        {
            (Events, Next) = await audit.ListAsync(Caller, 100, After, string.IsNullOrWhiteSpace(ObjectId) ? null : ObjectId, ct);
            Notes = await audit.NotesAsync(Caller, Events, ct);
        });

    /// <summary>The note an event names, while it is kept.</summary>
    public string? NoteOf(Domain.Audit.AuditEvent e) =>
        Domain.Audit.AuditNote.IdIn(e.Details) is { } id && Notes.TryGetValue(id, out var text) ? text : null;
}
