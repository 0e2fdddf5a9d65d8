using System.Security.Cryptography;
using System.Text;
using LicenseHub.Domain.Classification;

namespace LicenseHub.Domain.Audit;

/// <summary>
/// Free text that an audited action carries, such as the reason a reseller was suspended. Free text may name a
/// person, and the hash-chained trail can neither be edited nor erased, so the text is kept here, apart from the
/// chain: the event's details hold only <c>note=&lt;id&gt;:&lt;digest&gt;</c>, a salted hash of the text. Erasing
/// the note with its account leaves the chain verifying, and the salt keeps the digest from confirming a guess of
/// the erased text.
/// </summary>
public sealed class AuditNote
{
    /// <summary>Longest text a note holds.</summary>
    public const int MaxLength = 500;

    [OperationalData, Purpose("link the note to the audit event that names it"), Retention(Retention.AuditNote)]
    public Guid Id { get; set; }

    [OperationalData, Purpose("erase the note with the account it is about"), Retention(Retention.AuditNote)]
    public Guid ResellerId { get; set; }

    [OperationalData, Purpose("when the note was written"), Retention(Retention.AuditNote)]
    public DateTimeOffset At { get; set; }

    [PersonalData, Purpose("the reason an operator gave for an action (free text that may name a person)"), Retention(Retention.AuditNote)]
    public required string Text { get; set; }

    [OperationalData, Purpose("salt of the digest in the audit event, so the digest cannot confirm a guessed text"), Retention(Retention.AuditNote)]
    public required byte[] Salt { get; set; }

    /// <summary>A new note about <paramref name="resellerId"/>'s account.</summary>
    public static AuditNote Of(Guid resellerId, string text, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        ResellerId = resellerId,
        At = now,
        Text = text,
        Salt = RandomNumberGenerator.GetBytes(16),
    };

    /// <summary>SHA-256 of the salt and the text's UTF-8 bytes, lower-case hex.</summary>
    public static string Digest(byte[] salt, string text) =>
        Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(text)]));

    /// <summary>What the audit event's details hold for this note.</summary>
    public string Reference => $"note={Id}:{Digest(Salt, Text)}";

    /// <summary>The note id in an event's details, or null when the event names none.</summary>
    public static Guid? IdIn(string? details)
    {
        if (details is null)
        {
            return null;
        }
        foreach (var part in details.Split(';'))
        {
            if (part.StartsWith("note=", StringComparison.Ordinal) && part.Length > 5)
            {
                var colon = part.IndexOf(':', 5);
                if (colon > 5 && Guid.TryParse(part.AsSpan(5, colon - 5), out var id))
                {
                    return id;
                }
            }
        }
        return null;
    }

    /// <summary>True when the text still matches the digest the chain holds for it.</summary>
    public bool MatchesReferenceIn(string? details) => details is not null && details.Split(';').Contains(Reference);
}
