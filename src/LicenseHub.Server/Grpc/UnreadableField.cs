using System.Buffers;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace LicenseHub.Server.Grpc;

/// <summary>
/// Names the string field of a request that holds invalid UTF-8 (<c>license_key</c>,
/// <c>assignments[0].reseller_reference</c>) by walking the message's descriptor over the raw bytes.
/// </summary>
internal static class UnreadableField
{
    // Only declared message fields are entered, so depth is bounded by the schema; this bounds recursive types too.
    private const int MaxDepth = 32;

    /// <summary>The path of the first string field that is not UTF-8, or null (also when the bytes are not protobuf).</summary>
    public static string? Find(MessageDescriptor descriptor, ReadOnlySequence<byte> payload)
    {
        try
        {
            return Find(descriptor, payload.ToArray(), "", 0);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static string? Find(MessageDescriptor descriptor, byte[] bytes, string prefix, int depth)
    {
        var input = new CodedInputStream(bytes);
        var seen = new Dictionary<int, int>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = descriptor.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
            if (field is null || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited
                || field.FieldType is not (FieldType.String or FieldType.Message))
            {
                input.SkipLastField();
                continue;
            }
            var index = seen.GetValueOrDefault(field.FieldNumber);
            seen[field.FieldNumber] = index + 1;
            var path = prefix + field.Name + (field.IsRepeated && !field.IsMap ? $"[{index}]" : "");
            var value = input.ReadBytes();
            if (field.FieldType == FieldType.String)
            {
                if (!Utf8.IsValid(value.Span))
                {
                    return path;
                }
            }
            else if (depth < MaxDepth && Find(field.MessageType, value.ToByteArray(), path + ".", depth + 1) is { } inner)
            {
                // A map entry is named by its map, not by "key"/"value".
                return field.IsMap ? path : inner;
            }
        }
        return null;
    }
}
