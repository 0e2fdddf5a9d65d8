using System.Net;
using Grpc.Core;
using Grpc.Net.Client;

namespace LicenseHub.LoadGen;

/// <summary>A few HTTP/2 connections to the server: one channel (and one socket handler) each.</summary>
public sealed class Connections : IDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    public Connections(Uri address, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var handler = new SocketsHttpHandler
            {
                // More than 100 concurrent calls on one connection would queue in the client otherwise.
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                AutomaticDecompression = DecompressionMethods.None,
            };
            _channels.Add(GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = handler,
                // An assignment of 10,000 licenses answers with all keys in one message.
                MaxReceiveMessageSize = 64 * 1024 * 1024,
                MaxSendMessageSize = 64 * 1024 * 1024,
            }));
        }
        Invokers = _channels.Select(c => c.CreateCallInvoker()).ToArray();
    }

    public IReadOnlyList<CallInvoker> Invokers { get; }

    public CallInvoker First => Invokers[0];

    /// <summary>Opens every connection before measuring, so no phase pays for a TCP and HTTP/2 handshake.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        foreach (var channel in _channels)
        {
            await channel.ConnectAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
