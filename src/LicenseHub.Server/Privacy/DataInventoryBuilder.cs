using System.Text;
using LicenseHub.Data;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Privacy;

public sealed record InventoryColumnView(string Column, string Classification, string Purpose, string Retention, IReadOnlyList<string> ReadableBy);

public sealed record InventoryTableView(string Table, string Entity, long RowCount, bool EndUserData, IReadOnlyList<InventoryColumnView> Columns);

/// <summary>The data inventory, generated from the model itself (never hand-written), with live row counts.</summary>
public sealed class DataInventoryBuilder(LicenseHubDbContext db)
{
    public async Task<IReadOnlyList<InventoryTableView>> BuildAsync(Caller caller, CancellationToken ct)
    {
        var tables = new List<InventoryTableView>();
        foreach (var group in DataModelCatalog.Columns(db.Model).GroupBy(c => c.Table))
        {
            var count = await CountAsync(group.Key, ct);
            tables.Add(new InventoryTableView(group.Key, group.First().Entity, count, group.First().EndUserEntity,
                group.Select(c => new InventoryColumnView(c.Column, c.Classification?.Value ?? "Unclassified", c.Purpose ?? "", c.Retention ?? "",
                    DataModelCatalog.ReadableBy(c.Classification))).ToList()));
        }
        return tables;
    }

    public static string ToMarkdown(IReadOnlyList<InventoryTableView> tables, DateTimeOffset generatedAt)
    {
        var md = new StringBuilder();
        md.AppendLine("# LicenseHub data inventory");
        md.AppendLine();
        md.AppendLine($"Generated {generatedAt:u} from the data model. End-user tables hold no personal data by construction.");
        md.AppendLine();
        md.AppendLine("| table | rows | personal | pseudonymous | secret | end-user data |");
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var t in tables)
        {
            int Of(string c) => t.Columns.Count(x => x.Classification == c);
            md.AppendLine($"| {t.Table} | {t.RowCount} | {Of("Personal")} | {Of("Pseudonymous")} | {Of("Secret")} | {(t.EndUserData ? "yes" : "no")} |");
        }
        foreach (var t in tables)
        {
            md.AppendLine();
            md.AppendLine($"## {t.Table} ({t.RowCount} rows){(t.EndUserData ? " — end-user data" : "")}");
            md.AppendLine();
            md.AppendLine("| column | classification | purpose | retention | readable by |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var c in t.Columns)
            {
                md.AppendLine($"| {c.Column} | {c.Classification} | {c.Purpose} | {c.Retention} | {string.Join("; ", c.ReadableBy)} |");
            }
        }
        return md.ToString();
    }

    private async Task<long> CountAsync(string table, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(ct);
        }
        try
        {
            await using var command = connection.CreateCommand();
            // Table names come from the model, never from input.
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }
}
