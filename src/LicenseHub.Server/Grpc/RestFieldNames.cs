using System.Text;
using LicenseHub.Domain;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// Field paths as a REST caller's JSON names them: the protobuf JSON name of each segment (lowerCamelCase), indexes
/// kept — <c>assignments[1].reseller_reference</c> becomes <c>assignments[1].resellerReference</c>. gRPC callers keep
/// the proto names.
/// </summary>
public static class RestFieldNames
{
    public static ValidationException ForJson(ValidationException v) =>
        new(v.Violations.Select(f => new FieldViolation(ToJsonPath(f.Field), f.Description)).ToList());

    public static string ToJsonPath(string field)
    {
        var json = new StringBuilder(field.Length);
        var upper = false;
        foreach (var c in field)
        {
            if (c == '_')
            {
                upper = json.Length > 0 && char.IsLetterOrDigit(json[^1]);
                if (!upper)
                {
                    json.Append(c);
                }
                continue;
            }
            json.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return json.ToString();
    }
}
