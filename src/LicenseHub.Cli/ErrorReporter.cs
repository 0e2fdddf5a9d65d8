using System.Net.Sockets;
using System.Text;
using Google.Rpc;
using Grpc.Core;

namespace LicenseHub.Cli;

/// <summary>Turns a failed call into one clear line on stderr (plus one line per invalid field) and an exit code.</summary>
public static class ErrorReporter
{
    public static int Report(RpcException exception, Uri server, TextWriter error)
    {
        if (IsUnreachable(exception))
        {
            var cause = RootCause(exception);
            error.WriteLine($"lhctl: cannot reach the LicenseHub server at {server.OriginalString} — is it running?"
                + (cause is null ? "" : $" ({cause})"));
            error.WriteLine("  " + UnreachableHint(server, cause));
            return ExitCodes.Unreachable;
        }

        if (exception.StatusCode == StatusCode.Unavailable)
        {
            error.WriteLine($"lhctl: UNAVAILABLE: {exception.Status.Detail}");
            error.WriteLine("  The server is up but cannot serve this now; retry later, or ask its operator (its log and /health/ready say why).");
            return ExitCodes.Unreachable;
        }

        var line = new StringBuilder("lhctl: ").Append(CodeName(exception.StatusCode));
        if (!string.IsNullOrWhiteSpace(exception.Status.Detail))
        {
            line.Append(": ").Append(exception.Status.Detail);
        }
        error.WriteLine(line.ToString());
        foreach (var violation in FieldViolations(exception))
        {
            error.WriteLine($"  {violation.Field}: {violation.Description}");
        }
        var hint = Hint(exception.StatusCode);
        if (hint is not null)
        {
            error.WriteLine("  " + hint);
        }
        return ExitCodes.ServerRefused;
    }

    private static bool AnsweredByServer(RpcException exception)
    {
        try
        {
            return exception.GetRpcStatus() is not null;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }

    public static IEnumerable<BadRequest.Types.FieldViolation> FieldViolations(RpcException exception)
    {
        Google.Rpc.Status? status;
        try
        {
            status = exception.GetRpcStatus();
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            status = null;
        }
        if (status is null)
        {
            return [];
        }
        return status.Details
            .Where(d => d.Is(BadRequest.Descriptor))
            .SelectMany(d => d.Unpack<BadRequest>().FieldViolations)
            .ToList();
    }

    /// <summary>The gRPC canonical name, e.g. INVALID_ARGUMENT, as the server's documentation spells it.</summary>
    public static string CodeName(StatusCode code)
    {
        var name = code.ToString();
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }

    // A server that answers UNAVAILABLE itself (its database is full or down) sends a google.rpc.Status with it;
    // a server that cannot be reached sends nothing.
    private static bool IsUnreachable(RpcException exception) =>
        exception.StatusCode == StatusCode.Unavailable && !AnsweredByServer(exception)
        || (exception.StatusCode == StatusCode.Internal && exception.Status.DebugException is HttpRequestException or SocketException);

    private static string UnreachableHint(Uri server, string? cause) => cause switch
    {
        not null when cause.Contains("HTTP_1_1_REQUIRED", StringComparison.Ordinal) =>
            $"That port speaks HTTP/1.1 only (the web endpoint?); lhctl needs the gRPC endpoint, by default {GlobalOptions.DefaultServer}.",
        not null when server.Scheme == Uri.UriSchemeHttps && (cause.Contains("frame", StringComparison.OrdinalIgnoreCase)
            || cause.Contains("SSL", StringComparison.Ordinal)) =>
            "The server does not seem to use TLS on that port; try http:// instead of https://.",
        _ => $"Start the server (licensehub), or point lhctl elsewhere with --server URL or ${GlobalOptions.ServerVariable}.",
    };

    private static string? RootCause(RpcException exception)
    {
        Exception? current = exception.Status.DebugException;
        string? message = null;
        while (current is not null)
        {
            if (!string.IsNullOrWhiteSpace(current.Message))
            {
                message = current.Message;
            }
            current = current.InnerException;
        }
        return message;
    }

    private static string? Hint(StatusCode code) => code switch
    {
        StatusCode.Unauthenticated => $"Check the API key given with ${GlobalOptions.ApiKeyVariable}, --api-key-file or --api-key.",
        StatusCode.PermissionDenied => "This API key may not do this: vendor commands need a vendor key, reseller commands a reseller key with a role that allows it.",
        StatusCode.Unimplemented => "The server does not offer this call; is --server pointing at a LicenseHub server of the same version?",
        _ => null,
    };
}
