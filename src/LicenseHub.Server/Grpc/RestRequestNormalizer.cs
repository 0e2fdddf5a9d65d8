using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.Primitives;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// REST requests as a billing system writes them, rewritten to what JSON transcoding binds, before the operation runs:
/// <list type="bullet">
/// <item>enum values in their short lower-case form (<c>?state=active</c>, <c>"role": "owner"</c>) as well as the
/// proto names (<c>LICENSE_STATE_ACTIVE</c>), in query strings and JSON bodies;</item>
/// <item><c>pageSize</c> and <c>pageToken</c> (or <c>page_size</c>, <c>page_token</c>) on a list, which transcoding
/// only binds as <c>page.pageSize</c> and <c>page.pageToken</c> (the fields of the nested PageRequest) and otherwise
/// ignores silently.</item>
/// </list>
/// Anything it does not recognise is left as it is, for the operation's own validation to refuse.
/// </summary>
public static class RestRequestNormalizer
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static IApplicationBuilder UseRestRequestNormalizer(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/v1")
            && context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is { } transcoding)
        {
            var input = transcoding.MethodDescriptor.InputType;
            if (context.Request.QueryString.HasValue)
            {
                RewriteQuery(context.Request, input);
            }
            var body = transcoding.HttpRule.Body;
            if (!string.IsNullOrEmpty(body) && context.Request.ContentLength is > 0 and <= MaxBodyBytes
                && context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
            {
                var bodyType = body == "*" ? input : input.FindFieldByName(body)?.MessageType;
                if (bodyType is not null)
                {
                    await RewriteBodyAsync(context.Request, bodyType, context.RequestAborted);
                }
            }
        }
        await next();
    });

    private static void RewriteQuery(HttpRequest request, MessageDescriptor input)
    {
        var changed = false;
        var rewritten = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, values) in request.Query)
        {
            var path = name;
            var field = Resolve(input, path);
            if (field is null && PageAlias(name) is { } alias && input.FindFieldByName("page")?.MessageType is { } page
                && Resolve(page, alias) is { } pageField)
            {
                path = "page." + alias;
                field = pageField;
            }
            var newValues = values;
            if (field?.FieldType == FieldType.Enum)
            {
                newValues = new StringValues(values.Select(v => v is null ? v : ProtoEnumName(field.EnumType, v) ?? v).ToArray());
            }
            changed |= path != name || !newValues.Equals(values);
            rewritten.Add(new(path, newValues));
        }
        if (changed)
        {
            request.QueryString = QueryString.Create(rewritten);
        }
    }

    private static async Task RewriteBodyAsync(HttpRequest request, MessageDescriptor type, CancellationToken token)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, token);
        var bytes = buffer.ToArray();
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject root && RewriteMessage(root, type))
            {
                bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
            }
        }
        catch (JsonException)
        {
            // Unreadable JSON is the transcoder's to refuse, with its own message.
        }
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
    }

    private static bool RewriteMessage(JsonObject json, MessageDescriptor type)
    {
        var changed = false;
        foreach (var (name, value) in json.ToList())
        {
            if (value is null || Resolve(type, name) is not { } field)
            {
                continue;
            }
            if (value is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    changed |= RewriteValue(array[i], field, v => array[i] = v);
                }
            }
            else
            {
                changed |= RewriteValue(value, field, v => json[name] = v);
            }
        }
        return changed;
    }

    private static bool RewriteValue(JsonNode? value, FieldDescriptor field, Action<JsonNode> replace)
    {
        if (field.FieldType == FieldType.Enum && value is JsonValue v && v.TryGetValue<string>(out var text)
            && ProtoEnumName(field.EnumType, text) is { } proto && proto != text)
        {
            replace(JsonValue.Create(proto));
            return true;
        }
        return field.FieldType == FieldType.Message && value is JsonObject child && !field.IsMap && RewriteMessage(child, field.MessageType);
    }

    private static FieldDescriptor? Resolve(MessageDescriptor type, string path)
    {
        FieldDescriptor? field = null;
        foreach (var segment in path.Split('.'))
        {
            if (field is not null)
            {
                if (field.FieldType != FieldType.Message)
                {
                    return null;
                }
                type = field.MessageType;
            }
            field = type.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == segment || f.Name == segment);
            if (field is null)
            {
                return null;
            }
        }
        return field;
    }

    private static string? PageAlias(string name) => name switch
    {
        "pageSize" or "page_size" => "pageSize",
        "pageToken" or "page_token" => "pageToken",
        _ => null,
    };

    /// <summary>
    /// The proto name of an enum value given as the proto name itself, a number, or the short form: the name without
    /// the enum's prefix, in any case (<c>active</c> for <c>LICENSE_STATE_ACTIVE</c>). Null when it is none of these.
    /// </summary>
    public static string? ProtoEnumName(EnumDescriptor type, string value)
    {
        if (type.FindValueByName(value) is not null || int.TryParse(value, out _))
        {
            return value;
        }
        var prefix = ScreamingSnake(type.Name) + "_";
        var candidate = prefix + value.Trim().Replace('-', '_').ToUpperInvariant();
        return candidate.EndsWith("_UNSPECIFIED", StringComparison.Ordinal) ? null : type.FindValueByName(candidate)?.Name;
    }

    private static string ScreamingSnake(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}
