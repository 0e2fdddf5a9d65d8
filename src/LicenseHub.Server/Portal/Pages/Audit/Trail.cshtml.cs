using LicenseHub.Server.Security;
using Microsoft.AspNetCore.Mvc;

namespace LicenseHub.Server.Portal.Pages.Audit;

public sealed record ChainVerification(bool Intact, long Checked, long FirstBroken, string Problem);

[Requires(Permission.VendorAudit)]
public sealed class TrailModel(Server.Audit.AuditTrail audit, Server.Audit.AuditLabels labels) : PortalPageModel
{
    public IReadOnlyList<Domain.Audit.AuditEvent> Events { get; private set; } = [];
    public string Next { get; private set; } = "";
    /// <summary>Texts of the notes the listed events name (kept apart from the chain), by note id.</summary>
    public IReadOnlyDictionary<Guid, string> Notes { get; private set; } = new Dictionary<Guid, string>();
    public ChainVerification? Verification { get; private set; }

    /// <summary>Names for the actors and objects of the listed events, by actor id and by "type:id".</summary>
    public IReadOnlyDictionary<string, string> Labels { get; private set; } = new Dictionary<string, string>();

    [FromQuery(Name = "object")] public string? ObjectId { get; set; }
    [FromQuery(Name = "action")] public string? ActionName { get; set; }
    [FromQuery(Name = "actor")] public string? Actor { get; set; }
    [FromQuery(Name = "from_date")] public string? From { get; set; }
    [FromQuery(Name = "to_date")] public string? To { get; set; }
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
            (Events, Next) = await audit.ListAsync(Caller, 100, After,
                new Server.Audit.AuditFilter(string.IsNullOrWhiteSpace(ObjectId) ? null : ObjectId, ActionName, Actor, From, To), ct);
            Notes = await audit.NotesAsync(Caller, Events, ct);
            Labels = await labels.DescribeAsync(Caller, Events, ct);
        });

    public string? ActorLabel(Domain.Audit.AuditEvent e) => Labels.GetValueOrDefault(e.ActorId);

    public string? ObjectLabel(Domain.Audit.AuditEvent e) => Labels.GetValueOrDefault($"{e.ObjectType}:{e.ObjectId}");

    /// <summary>This page with the current filters, changed by <paramref name="change"/> (a null value drops the filter).</summary>
    public string Link(params (string Name, string? Value)[] change)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["object"] = ObjectId, ["action"] = ActionName, ["actor"] = Actor, ["from_date"] = From, ["to_date"] = To,
        };
        foreach (var (name, value) in change)
        {
            query[name] = value;
        }
        var kept = query.Where(q => !string.IsNullOrWhiteSpace(q.Value)).ToDictionary(q => q.Key, q => q.Value);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/audit/trail", kept);
    }

    /// <summary>The note an event names, while it is kept.</summary>
    public string? NoteOf(Domain.Audit.AuditEvent e) =>
        Domain.Audit.AuditNote.IdIn(e.Details) is { } id && Notes.TryGetValue(id, out var text) ? text : null;
}
