using System.Text;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>Freshly assigned license keys as CSV (license_id, license_key, reseller_reference), for a <see cref="PrivateFile"/>.</summary>
public static class LicenseKeysCsv
{
    public static string Format(IEnumerable<AssignedLicense> licenses)
    {
        var csv = new StringBuilder("license_id,license_key,reseller_reference\n");
        foreach (var assigned in licenses)
        {
            csv.Append(Field(assigned.License.Id)).Append(',')
                .Append(Field(assigned.LicenseKey)).Append(',')
                .Append(Field(assigned.License.ResellerReference)).Append('\n');
        }
        return csv.ToString();
    }

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
