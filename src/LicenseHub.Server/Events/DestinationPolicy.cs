using System.Net;
using System.Net.Sockets;
using LicenseHub.Server.Operations;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Events;

/// <summary>A webhook destination this server will not call.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);

/// <summary>
/// Which addresses webhooks may be delivered to. A reseller names the URL, so without this a reseller could make the
/// server call the vendor's own network (server-side request forgery): loopback, private, shared (CGNAT), link-local
/// (cloud metadata at 169.254.169.254), multicast and unspecified addresses are refused unless the operator allows
/// them (<c>LicenseHub:Webhooks:AllowPrivateDestinations</c>). Checked when an endpoint is registered and again on
/// every connection, against the addresses the name resolves to then, so a name that later resolves elsewhere
/// (DNS rebinding) is refused too.
/// </summary>
public sealed class DestinationPolicy(IOptions<LicenseHubOptions> options)
{
    private bool AllowPrivate => options.Value.Webhooks.AllowPrivateDestinations;

    /// <summary>Why <paramref name="url"/> cannot be a webhook destination, or null when it can.</summary>
    public async Task<string?> ProblemAsync(Uri url, CancellationToken ct)
    {
        if (url.Scheme is not ("https" or "http"))
        {
            return "must be an http or https URL";
        }
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "must not carry a user name or password (the signature authenticates deliveries)";
        }
        if (!string.IsNullOrEmpty(url.Fragment))
        {
            return "must not have a fragment (#...)";
        }
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"names a host that does not resolve ({url.IdnHost})";
        }
        var refused = addresses.FirstOrDefault(a => !Allowed(a));
        return refused is null ? null
            : $"resolves to {Describe(refused)} address {refused}, which webhooks are not delivered to";
    }

    /// <summary>Connects to the first allowed address of the destination (SocketsHttpHandler.ConnectCallback).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, ct);
        var allowed = addresses.Where(Allowed).ToArray();
        if (allowed.Length == 0)
        {
            throw new DestinationRefusedException(addresses.Length == 0
                ? $"{context.DnsEndPoint.Host} does not resolve"
                : $"{context.DnsEndPoint.Host} resolves to {Describe(addresses[0])} address {addresses[0]}, which webhooks are not delivered to");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    public bool Allowed(IPAddress address) => AllowPrivate || Describe(address) is null;

    /// <summary>"loopback", "private", … for an address webhooks avoid; null for a public one.</summary>
    public static string? Describe(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return "a loopback";
        }
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified";
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified",
                10 => "a private",
                100 when b[1] is >= 64 and <= 127 => "a shared (carrier-grade NAT)",
                169 when b[1] == 254 => "a link-local",
                172 when b[1] is >= 16 and <= 31 => "a private",
                192 when b[1] == 168 => "a private",
                192 when b[1] == 0 && b[2] == 0 => "a reserved",
                198 when b[1] is 18 or 19 => "a benchmarking",
                >= 224 => "a multicast or reserved",
                _ => null,
            };
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "a link-local";
        }
        if (address.IsIPv6Multicast)
        {
            return "a multicast";
        }
        var bytes = address.GetAddressBytes();
        if ((bytes[0] & 0xFE) == 0xFC)
        {
            return "a private (unique local)";
        }
        return null;
    }
}
