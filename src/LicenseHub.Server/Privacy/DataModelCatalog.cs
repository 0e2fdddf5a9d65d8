using System.Reflection;
using LicenseHub.Data;
using LicenseHub.Domain.Classification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Compliance.Classification;

namespace LicenseHub.Server.Privacy;

/// <summary>One persisted column with what the model says about it.</summary>
public sealed record ModelColumn(
    string Table,
    string Column,
    string Entity,
    string Property,
    Type ClrType,
    DataClassification? Classification,
    string? Purpose,
    string? Retention,
    bool EndUserEntity,
    bool IsKey);

/// <summary>
/// Reads classification, purpose and retention of every persisted property straight from the EF Core
/// model and the attributes on the entities: the single source for the inventory, the PII scan and the
/// tests that fail when a property is missing one.
/// </summary>
public static class DataModelCatalog
{
    public static IReadOnlyList<ModelColumn> Columns(IModel model)
    {
        var columns = new List<ModelColumn>();
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.GetTableName()))
        {
            var table = entity.GetTableName();
            if (table is null)
            {
                continue;
            }
            var storeObject = StoreObjectIdentifier.Table(table, entity.GetSchema());
            var endUser = entity.ClrType.GetCustomAttribute<EndUserDataAttribute>() is not null;
            var keys = entity.FindPrimaryKey()?.Properties.Select(p => p.Name).ToHashSet() ?? [];
            foreach (var property in entity.GetProperties())
            {
                // Our entities carry attributes; types we do not own (Identity's) carry model annotations.
                var member = property.PropertyInfo;
                var annotated = property.FindAnnotation(Classify.ClassificationAnnotation)?.Value as string;
                var classification = annotated is not null
                    ? new DataClassification(DataClasses.TaxonomyName, annotated)
                    : member?.GetCustomAttribute<DataClassificationAttribute>()?.Classification;
                columns.Add(new ModelColumn(
                    table,
                    property.GetColumnName(storeObject) ?? property.Name,
                    entity.ClrType.Name,
                    property.Name,
                    property.ClrType,
                    classification,
                    property.FindAnnotation(Classify.PurposeAnnotation)?.Value as string ?? member?.GetCustomAttribute<PurposeAttribute>()?.Purpose,
                    property.FindAnnotation(Classify.RetentionAnnotation)?.Value as string ?? member?.GetCustomAttribute<RetentionAttribute>()?.Rule,
                    endUser,
                    keys.Contains(property.Name)));
            }
        }
        return columns;
    }

    /// <summary>Who can read a column of this class, and through what.</summary>
    public static IReadOnlyList<string> ReadableBy(DataClassification? classification) => classification?.Value switch
    {
        nameof(DataClasses.Personal) => ["reseller (own account)", "vendor admin (each read audited)"],
        nameof(DataClasses.Corporate) => ["reseller (own account)", "vendor admin"],
        nameof(DataClasses.Financial) => ["reseller (own orders)", "vendor admin"],
        nameof(DataClasses.Pseudonymous) => ["reseller (12-character prefix, own licenses)", "vendor admin (prefix)"],
        nameof(DataClasses.Secret) => ["nobody: compared on authentication only"],
        nameof(DataClasses.Technical) => ["reseller (own licenses)", "vendor admin", "vendor auditor (aggregates)"],
        nameof(DataClasses.Operational) => ["reseller (own objects)", "vendor admin", "vendor auditor"],
        _ => ["unclassified"],
    };
}
