using LicenseHub.Domain.Classification;
using LicenseHub.Server.Privacy;
using LicenseHub.Tests.Infrastructure;

namespace LicenseHub.Tests.Privacy;

public sealed class ClassificationTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void EveryPersistedColumn_HasClassificationPurposeAndRetention()
    {
        var columns = _factory.WithDb(db => DataModelCatalog.Columns(db.Model));

        Assert.True(columns.Count > 50, "the model walk found too few columns");
        var missing = columns.Where(c => c.Classification is null || string.IsNullOrWhiteSpace(c.Purpose) || string.IsNullOrWhiteSpace(c.Retention))
            .Select(c => $"{c.Table}.{c.Column} ({c.Entity}.{c.Property})").ToList();
        Assert.True(missing.Count == 0, "unclassified columns: " + string.Join(", ", missing));
        Assert.All(columns, c => Assert.Equal(DataClasses.TaxonomyName, c.Classification!.Value.TaxonomyName));
    }

    [Fact]
    public void EndUserEntities_HoldNoPersonalColumns()
    {
        var columns = _factory.WithDb(db => DataModelCatalog.Columns(db.Model));

        var endUserTables = columns.Where(c => c.EndUserEntity).Select(c => c.Table).Distinct().ToList();
        Assert.Contains("Installations", endUserTables);
        Assert.Contains("CheckIns", endUserTables);
        var personal = columns.Where(c => c.EndUserEntity && c.Classification == DataClasses.Personal).Select(c => $"{c.Table}.{c.Column}").ToList();
        Assert.True(personal.Count == 0, "personal data in end-user tables: " + string.Join(", ", personal));
        Assert.Equal(DataClasses.Pseudonymous, columns.Single(c => c.Table == "Installations" && c.Column == "Fingerprint").Classification);
    }

    [Fact]
    public void KeptAssignmentKeys_AreSecretsOfTheInventoryWithTheir24HourRule_AndOrderAmountsAreFinancial()
    {
        var columns = _factory.WithDb(db => DataModelCatalog.Columns(db.Model));

        var kept = columns.Single(c => c.Table == "AssignmentReplayKeys" && c.Column == "EncryptedKey");
        Assert.Equal(DataClasses.Secret, kept.Classification);
        Assert.Contains("24 hours", kept.Retention);
        Assert.Contains("key-encryption key", kept.Purpose);
        Assert.All(columns.Where(c => c.Table is "AssignmentReplays" or "AssignmentReplayKeys"), c => Assert.Equal(Retention.AssignmentReplayWindow, c.Retention));
        Assert.Equal(DataClasses.Financial, columns.Single(c => c.Table == "Plans" && c.Column == "RenewalPriceMinor").Classification);
        Assert.Equal(DataClasses.Financial, columns.Single(c => c.Table == "Orders" && c.Column == "Kind").Classification);
        Assert.All(columns.Where(c => c.Table == "OrderLicenses"), c => Assert.Equal(Retention.LegalFinancial, c.Retention));
    }
}
