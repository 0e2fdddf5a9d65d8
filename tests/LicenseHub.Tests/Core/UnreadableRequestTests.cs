using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using LicenseHub.Server.Operations;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LicenseHub.Tests.Core;

/// <summary>
/// Requests protobuf cannot read, sent as raw bytes the way any client can (no key needed): they answer
/// INVALID_ARGUMENT naming the field, and are counted in the log, not written to it one by one.
/// </summary>
public sealed class UnreadableRequestTests : IDisposable
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create<byte[]>(b => b, b => b);

    // 0xC3 starts a two-byte sequence that 0x28 ('(') does not continue.
    private static readonly byte[] InvalidUtf8 = [(byte)'k', 0xC3, 0x28, (byte)'y'];

    private readonly CapturingLoggerProvider _logs = new();
    private readonly LicenseHubFactory _factory;

    public UnreadableRequestTests()
    {
        // The test writes the summary itself.
        _factory = new LicenseHubFactory(b => b.UseSetting("LicenseHub:RefusedRequestSummaryInterval", "01:00:00")
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(_logs)));
    }

    public void Dispose() => _factory.Dispose();

    private static byte[] Field(IMessage message, string name, byte[] value)
    {
        var number = message.Descriptor.FindFieldByName(name).FieldNumber;
        return [(byte)((number << 3) | 2), (byte)value.Length, .. value];
    }

    private async Task<RpcException> SendAsync(string service, string method, byte[] body)
    {
        var call = _factory.Channel.CreateCallInvoker().AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, method, Raw, Raw),
            null, new CallOptions(), body);
        return await Assert.ThrowsAsync<RpcException>(async () => await call);
    }

    private static void AssertNamesField(RpcException ex, string field)
    {
        Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"expected InvalidArgument, got {ex.StatusCode}: {ex.Status.Detail}");
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(field, Assert.Single(badRequest!.FieldViolations).Field);
    }

    [Fact]
    public async Task Activate_LicenseKeyWithInvalidUtf8_IsInvalidArgumentNamingTheField()
    {
        var body = Field(new ActivateRequest(), "product", "demo"u8.ToArray()).Concat(Field(new ActivateRequest(), "license_key", InvalidUtf8)).ToArray();

        AssertNamesField(await SendAsync("licensehub.v1.AgentService", "Activate", body), "license_key");
    }

    [Fact]
    public async Task AssignLicenses_NestedReferenceWithInvalidUtf8_IsInvalidArgumentNamingThePath_WithoutAKey()
    {
        var good = Field(new LicenseAssignment(), "reseller_reference", "cust-1"u8.ToArray());
        var bad = Field(new LicenseAssignment(), "reseller_reference", InvalidUtf8);
        var request = new AssignLicensesRequest();
        var body = Field(request, "pool_id", "x"u8.ToArray()).Concat(Field(request, "assignments", good)).Concat(Field(request, "assignments", bad)).ToArray();

        AssertNamesField(await SendAsync("licensehub.v1.ResellerService", "AssignLicenses", body), "assignments[1].reseller_reference");
    }

    [Fact]
    public async Task HealthCheck_ServiceNameWithInvalidUtf8_IsInvalidArgument()
    {
        AssertNamesField(await SendAsync("grpc.health.v1.Health", "Check", Field(new Grpc.Health.V1.HealthCheckRequest(), "service", InvalidUtf8)), "service");
    }

    [Fact]
    public async Task Activate_TruncatedMessage_IsInvalidArgumentNamingTheRequest()
    {
        // Field 1, length-delimited, says 40 bytes follow; 2 do.
        AssertNamesField(await SendAsync("licensehub.v1.AgentService", "Activate", [0x0A, 40, 0x61, 0x62]), "request");
    }

    [Fact]
    public async Task InvalidUtf8_TwoHundredRequests_AreCountedInOneSummaryLine_WithoutAStackTrace()
    {
        var body = Field(new ActivateRequest(), "license_key", InvalidUtf8);
        var refused = _factory.Services.GetRequiredService<RefusedRequestLog>();
        await SendAsync("licensehub.v1.AgentService", "Activate", body);
        refused.WriteSummary();
        _logs.Clear();

        for (var i = 0; i < 200; i++)
        {
            AssertNamesField(await SendAsync("licensehub.v1.AgentService", "Activate", body), "license_key");
        }
        var during = _logs.Snapshot();
        refused.WriteSummary();
        var summary = _logs.Snapshot().Except(during).ToList();

        Assert.True(during.Sum(l => l.Length) < 2_000, $"200 refused requests wrote {during.Sum(l => l.Length)} characters of log:\n{string.Join("\n", during.Take(5))}");
        Assert.DoesNotContain(during, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.Contains(summary, l => l.Contains("Refused 200 request(s) as invalid_utf8", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Clear()
        {
            lock (_lines)
            {
                _lines.Clear();
            }
        }

        public List<string> Snapshot()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._lines)
                {
                    owner._lines.Add($"{category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
