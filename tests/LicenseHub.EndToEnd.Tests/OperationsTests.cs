using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>What an operator sees of a running server: systemd readiness, its log lines, its metrics.</summary>
public sealed class OperationsTests
{
    /// <summary>A license key with valid check characters ("lhkey1:" + body, SHA-256) that no server issued.</summary>
    private static string WellFormedUnknownKey()
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var body = new string('Z', 28);
        var digest = System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes("lhkey1:" + body));
        return body + alphabet[digest[0] & 31] + alphabet[digest[1] & 31];
    }

    [Fact]
    public async Task NotifySocket_ServerStarts_SendsReadyOnlyOnceItAnswers()
    {
        using var work = new TempDirectory("notify");
        var socketPath = work.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();
        string? readinessWhenReady = null;
        using var stop = new CancellationTokenSource();
        var webUrl = new TaskCompletionSource<string>();

        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, received);
                lock (messages)
                {
                    messages.Add(message);
                }
                if (message.Split('\n').Contains("READY=1") && readinessWhenReady is null)
                {
                    // At the moment READY=1 arrives the server must already answer, with the database migrated.
                    using var http = new HttpClient { BaseAddress = new Uri(await webUrl.Task), Timeout = TimeSpan.FromSeconds(5) };
                    readinessWhenReady = (await http.GetAsync("/health/ready")).StatusCode.ToString();
                }
            }
        });

        await using (var server = await ServerProcess.StartAsync(new ServerOptions
        {
            Settings = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath },
        }))
        {
            webUrl.SetResult(server.WebUrl);
            var deadline = Stopwatch.StartNew();
            while (readinessWhenReady is null && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
            Assert.True(readinessWhenReady is not null, "no READY=1 arrived; got: " + string.Join(" | ", messages) + "\n" + server.Output);
            Assert.Equal(nameof(HttpStatusCode.OK), readinessWhenReady);
            await server.StopAsync();
        }
        await Task.Delay(500);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving);
        lock (messages)
        {
            Assert.Single(messages, m => m.Split('\n').Contains("READY=1"));
            Assert.Contains(messages, m => m.Split('\n').Contains("STOPPING=1"));
        }
    }

    [Fact]
    public async Task SystemdUnit_IsNotifyType_WithRestartBackoff_AndVerifies()
    {
        var unit = Path.Combine(BuiltOutputs.RepositoryRoot, "src", "LicenseHub.Server", "deploy", "licensehub.service");
        var lines = (await File.ReadAllLinesAsync(unit)).Select(l => l.Trim()).ToList();

        Assert.Contains("Type=notify", lines);
        Assert.Contains("NotifyAccess=main", lines);
        Assert.Contains("Restart=on-failure", lines);
        Assert.Contains(lines, l => l.StartsWith("RestartSec=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("RestartSteps=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("RestartMaxDelaySec=", StringComparison.Ordinal));
        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            var verify = await ChildProcess.RunAsync(ChildProcess.ExecutableStartInfo("/usr/bin/systemd-analyze", Path.GetTempPath(),
                new Dictionary<string, string>(), ["verify", unit]), TimeSpan.FromSeconds(60));
            Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        }
    }

    [Fact]
    public async Task Requests_OneLineEach_WithStatusAndDuration_NoKeysOrQueries()
    {
        await using var server = await ServerProcess.StartAsync(new ServerOptions());
        var vendorKey = await server.ReadVendorKeyAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
        var vendor = new VendorService.VendorServiceClient(channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + vendorKey);
            return m;
        }));
        await vendor.ListProductsAsync(new ListProductsRequest());
        var refused = await Assert.ThrowsAsync<RpcException>(() => vendor.CreateProductAsync(new CreateProductRequest { Code = "", Name = "" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer " + vendorKey);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/.well-known/jwks.json?secret-query=x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        var linesBefore = server.Output.Split('\n').Length;
        var malformed = await http.PostAsync("/v1/orders", new StringContent("{\"planId\": ", Encoding.UTF8, "application/json"));
        var malformedBody = await malformed.Content.ReadAsStringAsync();
        await Task.Delay(500);
        var output = server.Output;

        Assert.True(Regex.IsMatch(output, @"gRPC /licensehub\.v1\.VendorService/ListProducts OK in \d+\.\d ms"), output);
        Assert.Matches(@"gRPC /licensehub\.v1\.VendorService/CreateProduct INVALID_ARGUMENT in \d+\.\d ms", output);
        Assert.Matches(@"HTTP GET /.well-known/jwks.json 200 in \d+\.\d ms", output);
        // Probes at Debug: not at the default level.
        Assert.DoesNotContain("/health/ready", output);
        Assert.DoesNotContain("grpc.health.v1", output);
        Assert.DoesNotContain("secret-query", output);
        Assert.DoesNotContain(vendorKey[(vendorKey.LastIndexOf('_') + 1)..], output);
        Assert.DoesNotContain("127.0.0.1:" + new Uri(server.WebUrl).Port + "/", output);

        // A malformed body: 400 with a message that says so, and one log line, without a stack trace.
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("JSON payload is not correctly formatted", malformedBody);
        var after = output.Split('\n')[(linesBefore - 1)..].Where(l => l.Length > 0).ToList();
        Assert.True(after.Count == 1, "expected one line for the malformed body, got:\n" + string.Join('\n', after));
        Assert.Matches(@"HTTP POST /v1/orders 400 in \d+\.\d ms", after[0]);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task LogFormatJson_EveryStandardOutputLineIsAJsonObject()
    {
        await using var server = await ServerProcess.StartAsync(new ServerOptions
        {
            Settings = new Dictionary<string, string> { ["LicenseHub__LogFormat"] = "json" },
        });
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
        await http.GetAsync("/.well-known/jwks.json");
        await http.PostAsync("/v1/orders", new StringContent("{", Encoding.UTF8, "application/json"));
        await Task.Delay(500);

        var lines = server.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 4, server.Output);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.True(json.RootElement.TryGetProperty("Category", out _), line);
        }
        Assert.Contains(lines, l => l.Contains("\"Route\":\"/.well-known/jwks.json\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogFormatOption_Unknown_IsRefusedNamingTheValues()
    {
        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new ServerOptions
        {
            Settings = new Dictionary<string, string> { ["LicenseHub__LogFormat"] = "xml" },
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        Assert.Contains("must be simple, json or systemd, not 'xml'", refused.Message);
    }

    [Fact]
    public async Task Prometheus_Enabled_ScrapeShowsLicenseHubMeters()
    {
        await using var server = await ServerProcess.StartAsync(new ServerOptions
        {
            Settings = new Dictionary<string, string> { ["LicenseHub__Metrics__Prometheus"] = "true" },
        });
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
        var agent = new AgentService.AgentServiceClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await agent.ActivateAsync(new ActivateRequest
            {
                LicenseKey = WellFormedUnknownKey(),
                Fingerprint = new string('a', 64),
                ProductVersion = "1.0.0",
                AgentVersion = "1.0.0",
                Product = "panel",
            });
        }
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };

        // The exporter caches a scrape briefly; the activations are in the next one at the latest.
        var scrape = "";
        var deadline = Stopwatch.StartNew();
        do
        {
            var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            scrape = await response.Content.ReadAsStringAsync();
        }
        while (!scrape.Contains("licensehub_activations_total") && deadline.Elapsed < TimeSpan.FromSeconds(15) && await Delay());

        Assert.Matches(new Regex(@"^licensehub_activations_total\{[^}]*\} 3", RegexOptions.Multiline), scrape);
        Assert.Contains("licensehub_pools_utilisation", scrape);
        Assert.Contains("http_server_request_duration_seconds", scrape);
    }

    [Fact]
    public async Task Prometheus_ByDefault_IsNotServed()
    {
        await using var server = await ServerProcess.StartAsync(new ServerOptions());
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }
}
