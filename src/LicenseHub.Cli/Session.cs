using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli;

/// <summary>One command's connection to the server plus where and how it prints.</summary>
public sealed class Session : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    private Session(Uri server, string apiKey, Printer printer)
    {
        Server = server;
        Printer = printer;
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            },
        });
        // Metadata rather than CallCredentials: those are refused on plaintext channels, and the default
        // server listens on loopback without TLS.
        var authorization = "Bearer " + apiKey;
        _invoker = _channel.Intercept(metadata =>
        {
            metadata.Add("authorization", authorization);
            return metadata;
        });
    }

    public Uri Server { get; }

    public Printer Printer { get; }

    public VendorService.VendorServiceClient Vendor => new(_invoker);

    public ResellerService.ResellerServiceClient Reseller => new(_invoker);

    public AuditService.AuditServiceClient Audit => new(_invoker);

    public EventService.EventServiceClient Events => new(_invoker);

    public static Session Open(GlobalOptions globals, ParseResult parse, CliEnvironment environment)
    {
        var server = ResolveServer(parse.GetValue(globals.Server) ?? environment.Get(GlobalOptions.ServerVariable));
        var apiKey = ResolveApiKey(parse.GetValue(globals.ApiKey), parse.GetValue(globals.ApiKeyFile),
            environment.Get(GlobalOptions.ApiKeyVariable));
        return new Session(server, apiKey, new Printer(environment.Out, environment.Error, parse.GetValue(globals.Json)));
    }

    public static Uri ResolveServer(string? value)
    {
        var text = string.IsNullOrWhiteSpace(value) ? GlobalOptions.DefaultServer : value.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--server must be an http:// or https:// URL, e.g. {GlobalOptions.DefaultServer} (got '{text}').");
        }
        return uri;
    }

    private static string ResolveApiKey(string? option, FileInfo? file, string? variable)
    {
        if (!string.IsNullOrWhiteSpace(option) && file is not null)
        {
            throw new UsageException("Give the API key either with --api-key or with --api-key-file, not both.");
        }
        if (!string.IsNullOrWhiteSpace(option))
        {
            return option.Trim();
        }
        if (file is not null)
        {
            string content;
            try
            {
                content = File.ReadAllText(file.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"Cannot read the API key file {file.FullName}: {ex.Message}");
            }
            var firstLine = content.Split('\n', 2)[0].Trim();
            if (firstLine.Length == 0)
            {
                throw new UsageException($"The API key file {file.FullName} is empty.");
            }
            return firstLine;
        }
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return variable.Trim();
        }
        throw new UsageException($"No API key. Set {GlobalOptions.ApiKeyVariable}, or pass --api-key-file PATH "
            + "(on first start the server writes the vendor admin key to <data directory>/vendor-admin.key).");
    }

    public void Dispose() => _channel.Dispose();
}
