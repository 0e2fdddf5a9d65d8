using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// Before any first-start work (a database, a vendor admin key), whether every address the server is configured to listen
/// on is free. Kestrel binds only after the hosted services have started, so without this a port in use would end the
/// server after it had created a database and a key nobody saw. The first hosted service registered, so it runs first.
/// </summary>
public sealed class ListenAddressCheck(IServer server, IConfiguration configuration, ILogger<ListenAddressCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // In tests the server is an in-memory TestServer: nothing listens.
        if (server.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }
        var problems = Configured(configuration).Select(e => Problem(e.Name, e.Url)).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            var message = string.Join(" ", problems) + " Stop what listens there or choose another address; nothing was changed.";
            logger.LogCritical("Cannot start: {Problem}", message);
            throw new StartRefusedException(message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>What Kestrel would listen on: its named endpoints, else "urls" (ASPNETCORE_URLS), else its default.</summary>
    public static IReadOnlyList<(string Name, string Url)> Configured(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Where(e => !string.IsNullOrWhiteSpace(e["Url"]))
            .Select(e => ($"Kestrel:Endpoints:{e.Key}:Url", e["Url"]!))
            .ToList();
        if (endpoints.Count > 0)
        {
            return endpoints;
        }
        var urls = configuration["urls"];
        return string.IsNullOrWhiteSpace(urls)
            ? [("urls", "http://localhost:5000")]
            : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => ("urls", u)).ToList();
    }

    private static string? Problem(string name, string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return null; // Kestrel says what is wrong with it.
        }
        if (address.IsUnixPipe || address.IsNamedPipe || address.Port == 0)
        {
            return null;
        }
        var ip = address.Host switch
        {
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(address.Host.Trim('[', ']'), out var parsed) => parsed,
            _ => IPAddress.Any, // *, +, a host name: Kestrel listens on every interface.
        };
        using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            // SO_REUSEADDR alone, as Kestrel does: connections of a server that just stopped (TIME_WAIT) do not count as
            // in use, a listening socket does. (Socket.ReuseAddress would add SO_REUSEPORT, which lets a second listener in.)
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        }
        try
        {
            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(1);
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return $"{url} ({name}) is already in use by another process.";
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            return $"{url} ({name}) cannot be listened on: {e.Message}.";
        }
    }
}
