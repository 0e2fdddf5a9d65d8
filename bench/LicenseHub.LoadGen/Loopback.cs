using System.Net;

namespace LicenseHub.LoadGen;

/// <summary>The generator only ever talks to this machine: a load test aimed elsewhere is refused.</summary>
public static class Loopback
{
    public static Uri Require(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new UsageException($"'{url}' is not an http:// or https:// URL.");
        }
        var host = uri.IdnHost.Trim('[', ']');
        var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback)
        {
            throw new UsageException($"'{url}' is not a loopback address; the load generator only drives a server on this machine "
                + "(localhost, 127.0.0.0/8 or [::1]).");
        }
        return uri;
    }
}

/// <summary>A mistake in the command line or its inputs: printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
