using LicenseHub.Data;
using LicenseHub.Domain.Classification;
using LicenseHub.Domain.Validation;
using LicenseHub.Server.Security;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Privacy;

public sealed record PiiFinding(string Table, string Column, string RowKey, PersonalDataKind Kind, string MaskedValue);

/// <summary>
/// Scans what is actually stored: every text column not classified as personal is checked for values
/// that look like e-mail addresses, phone numbers, IP or MAC addresses or host names.
/// </summary>
public sealed class PiiScanner(LicenseHubDbContext db)
{
    public async Task<(IReadOnlyList<PiiFinding> Findings, long Scanned)> ScanAsync(Caller caller, CancellationToken ct)
    {
        var findings = new List<PiiFinding>();
        long scanned = 0;
        var columns = DataModelCatalog.Columns(db.Model);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(ct);
        }
        try
        {
            foreach (var table in columns.GroupBy(c => c.Table))
            {
                var key = table.First(c => c.IsKey).Column;
                foreach (var column in table.Where(c => c.ClrType == typeof(string) && c.Classification != DataClasses.Personal))
                {
                    await using var command = connection.CreateCommand();
                    // Names come from the model, never from input.
                    command.CommandText = $"SELECT \"{key}\", \"{column.Column}\" FROM \"{table.Key}\" WHERE \"{column.Column}\" IS NOT NULL";
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        scanned++;
                        var value = reader.GetString(1);
                        foreach (var kind in PersonalDataPatterns.Find(value))
                        {
                            findings.Add(new PiiFinding(table.Key, column.Column, Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "",
                                kind, Mask(value)));
                        }
                    }
                }
            }
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
        return (findings, scanned);
    }

    /// <summary>Keeps the first two and last two characters, so a finding can be located but not read.</summary>
    public static string Mask(string value)
    {
        if (value.Length <= 6)
        {
            return new string('*', value.Length);
        }
        var visible = value.Length > 40 ? value[..2] + "…" + value[^2..] : value[..2] + new string('*', value.Length - 4) + value[^2..];
        return visible;
    }
}
