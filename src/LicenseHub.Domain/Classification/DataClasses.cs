using Microsoft.Extensions.Compliance.Classification;

namespace LicenseHub.Domain.Classification;

/// <summary>
/// The LicenseHub data taxonomy. Every persisted property carries exactly one of these classes, a purpose
/// and a retention rule, so the data inventory can be generated from the model itself.
/// </summary>
public static class DataClasses
{
    /// <summary>Name of the taxonomy as used by Microsoft.Extensions.Compliance.</summary>
    public const string TaxonomyName = "LicenseHub";

    /// <summary>Identifies a natural person (a reseller's billing contact name or e-mail).</summary>
    public static DataClassification Personal { get; } = new(TaxonomyName, nameof(Personal));

    /// <summary>About a company (reseller company name, country, VAT id).</summary>
    public static DataClassification Corporate { get; } = new(TaxonomyName, nameof(Corporate));

    /// <summary>Transaction records: amounts, currencies, dates. Never card data.</summary>
    public static DataClassification Financial { get; } = new(TaxonomyName, nameof(Financial));

    /// <summary>Pseudonymous technical identifiers such as machine fingerprints.</summary>
    public static DataClassification Pseudonymous { get; } = new(TaxonomyName, nameof(Pseudonymous));

    /// <summary>Technical facts with no link to a person (versions, OS family, counts).</summary>
    public static DataClassification Technical { get; } = new(TaxonomyName, nameof(Technical));

    /// <summary>Secrets or their hashes (license keys, API keys, signing keys).</summary>
    public static DataClassification Secret { get; } = new(TaxonomyName, nameof(Secret));

    /// <summary>Operational data the service needs to run (ids, states, timestamps, audit).</summary>
    public static DataClassification Operational { get; } = new(TaxonomyName, nameof(Operational));
}

/// <summary>Marks a property as personal data.</summary>
public sealed class PersonalDataAttribute() : DataClassificationAttribute(DataClasses.Personal);

/// <summary>Marks a property as corporate data.</summary>
public sealed class CorporateDataAttribute() : DataClassificationAttribute(DataClasses.Corporate);

/// <summary>Marks a property as financial data.</summary>
public sealed class FinancialDataAttribute() : DataClassificationAttribute(DataClasses.Financial);

/// <summary>Marks a property as a pseudonymous identifier.</summary>
public sealed class PseudonymousDataAttribute() : DataClassificationAttribute(DataClasses.Pseudonymous);

/// <summary>Marks a property as technical data.</summary>
public sealed class TechnicalDataAttribute() : DataClassificationAttribute(DataClasses.Technical);

/// <summary>Marks a property as a secret (or a hash of one).</summary>
public sealed class SecretDataAttribute() : DataClassificationAttribute(DataClasses.Secret);

/// <summary>Marks a property as operational data.</summary>
public sealed class OperationalDataAttribute() : DataClassificationAttribute(DataClasses.Operational);

/// <summary>Why a property is stored.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class PurposeAttribute(string purpose) : Attribute
{
    /// <summary>The purpose, in plain words.</summary>
    public string Purpose { get; } = purpose;
}

/// <summary>How long a property is kept.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class RetentionAttribute(string rule) : Attribute
{
    /// <summary>The retention rule, in plain words.</summary>
    public string Rule { get; } = rule;
}

/// <summary>Common retention rules, named once so the inventory reads consistently.</summary>
public static class Retention
{
    /// <summary>Kept while the owning account exists.</summary>
    public const string AccountLifetime = "while the reseller account exists; erased on account deletion";
    /// <summary>Kept while the license exists.</summary>
    public const string LicenseLifetime = "while the license exists (until expiry plus the retention window)";
    /// <summary>Kept for the legal period for financial records.</summary>
    public const string LegalFinancial = "10 years (legal retention of financial records); reseller pseudonymised on account deletion";
    /// <summary>Kept while the installation is active.</summary>
    public const string InstallationLifetime = "while the installation is active; deleted when released, forgotten or silent beyond the retention window";
    /// <summary>Check-ins are counted, not kept; raw rows only as evidence of refusals.</summary>
    public const string CheckInWindow = "every check-in is counted anonymously per day as it is written; a raw row is kept only for answers other than VALID, for the check-in window (default 30 days), then deleted";
    /// <summary>Kept as long as the record it belongs to.</summary>
    public const string WithRecord = "as long as the record it belongs to";
    /// <summary>Audit events.</summary>
    public const string AuditWindow = "audit window (default 400 days), then deleted behind a signed checkpoint";
    /// <summary>Signing keys.</summary>
    public const string SigningKeyLifetime = "until the last token signed with the key has expired";
    /// <summary>Root keys are kept while agents and products may hold an anchor that names them.</summary>
    public const string RootKeyLifetime = "while the root is in the trust anchor; the public part afterwards, for the audit";
    /// <summary>Keys of a recent assignment, kept encrypted so that a retried call gets the same keys.</summary>
    public const string AssignmentReplayWindow = "24 hours after the assignment (so a retried call gets the same keys), then erased by the retention job";
    /// <summary>The anonymous seat a forgotten installation leaves.</summary>
    public const string ForgottenSeat = "until the reseller releases the seat (spending a transfer) or the license is deleted";
    /// <summary>Free-text notes of audited actions, kept apart from the chain.</summary>
    public const string AuditNote = "while the reseller account exists and the audit event that names it is kept; erased on account deletion (the chain keeps only a salted hash)";
    /// <summary>Anonymous aggregates.</summary>
    public const string EventWindow = "event window (default 30 days, LicenseHub:Events:RetentionDays), then deleted by the retention job; erased on account deletion";

    public const string Indefinite = "indefinitely (anonymous aggregate)";
}

/// <summary>Marks an entity that describes end users' machines: it must never hold personal data.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EndUserDataAttribute : Attribute;
