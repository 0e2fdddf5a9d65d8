using System.Text;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// What a stock OpenAPI client generator and linter need on each transcoded operation: an operationId
/// (<c>ResellerService_CreateOrder</c>, unique although both services have ListPools), a summary, and the 4xx answers,
/// each a google.rpc.Status body like the default error.
/// </summary>
public sealed class OpenApiOperationFilter : IOperationFilter
{
    private static readonly (string Code, string Description)[] ClientErrors =
    [
        ("400", "INVALID_ARGUMENT (fieldViolations name each field), FAILED_PRECONDITION or OUT_OF_RANGE"),
        ("401", "UNAUTHENTICATED: a missing, wrong or revoked API key"),
        ("403", "PERMISSION_DENIED: the key's role may not do this"),
        ("404", "NOT_FOUND: no such object for this caller"),
    ];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var method = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault()?.MethodDescriptor;
        if (method is null)
        {
            return;
        }
        operation.OperationId = $"{method.Service.Name}_{method.Name}";
        if (string.IsNullOrWhiteSpace(operation.Summary))
        {
            operation.Summary = Words(method.Name);
        }
        var error = operation.Responses.TryGetValue("default", out var fallback) ? fallback.Content : null;
        foreach (var (code, description) in ClientErrors)
        {
            if (!operation.Responses.ContainsKey(code))
            {
                operation.Responses[code] = new OpenApiResponse { Description = description, Content = error ?? new Dictionary<string, OpenApiMediaType>() };
            }
        }
    }

    /// <summary>"CreateResellerApiKey" as "Create reseller api key".</summary>
    private static string Words(string name)
    {
        var words = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                words.Append(' ').Append(char.ToLowerInvariant(name[i]));
            }
            else
            {
                words.Append(name[i]);
            }
        }
        return words.ToString();
    }
}
