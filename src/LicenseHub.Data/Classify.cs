using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Compliance.Classification;

namespace LicenseHub.Data;

/// <summary>
/// Classification for properties whose type we do not own (ASP.NET Core Identity's): the same three facts
/// as the attributes on our entities, as model annotations that the data inventory reads.
/// </summary>
public static class Classify
{
    public const string ClassificationAnnotation = "LicenseHub:Classification";
    public const string PurposeAnnotation = "LicenseHub:Purpose";
    public const string RetentionAnnotation = "LicenseHub:Retention";

    public static PropertyBuilder<T> IsClassified<T>(this PropertyBuilder<T> property, DataClassification classification, string purpose, string retention) =>
        property.HasAnnotation(ClassificationAnnotation, classification.Value)
            .HasAnnotation(PurposeAnnotation, purpose)
            .HasAnnotation(RetentionAnnotation, retention);
}
