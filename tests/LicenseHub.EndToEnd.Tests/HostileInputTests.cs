using Grpc.Core;
using Grpc.Net.Client;
using LicenseHub.V1;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// Malformed requests to the real server, as anyone on the network can send them with a stock client and no key:
/// a clear INVALID_ARGUMENT, and a log that grows by a summary, not by an entry (or a stack trace) per request.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create<byte[]>(b => b, b => b);

    [Fact]
    public async Task Activate_TwoHundredRequestsWithInvalidUtf8_AnswerInvalidArgumentNamingTheField_AndAddOneSummaryLine()
    {
        using var work = new TempDirectory("hostile");
        var number = ActivateRequest.Descriptor.FindFieldByName("license_key").FieldNumber;
        // 11 bytes, as reported: a license_key of 9 bytes whose 0xC3 is not followed by a continuation byte.
        byte[] body = [(byte)((number << 3) | 2), 9, (byte)'L', (byte)'H', 0xC3, 0x28, (byte)'A', (byte)'B', (byte)'C', (byte)'D', (byte)'E'];
        var method = new Method<byte[], byte[]>(MethodType.Unary, "licensehub.v1.AgentService", "Activate", Raw, Raw);
        string output;
        int grown;
        await using (var server = await ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = work.Combine("data"),
            // Written at shutdown, so the test need not wait for an interval.
            Settings = new Dictionary<string, string> { ["LicenseHub__RefusedRequestSummaryInterval"] = "01:00:00" },
        }))
        {
            using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
            var invoker = channel.CreateCallInvoker();
            await Task.Delay(500);
            var before = server.Output.Length;
            for (var i = 0; i < 200; i++)
            {
                var ex = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(method, null, new CallOptions(), body));
                Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"{ex.StatusCode}: {ex.Status.Detail}");
                Assert.Contains("license_key", ex.Status.Detail);
            }
            await Task.Delay(500);
            grown = server.Output.Length - before;
            await server.DisposeAsync();
            output = server.Output;
        }

        Assert.True(grown < 2_000, $"200 refused requests added {grown} characters of log:\n{output[^Math.Min(output.Length, 3000)..]}");
        Assert.DoesNotContain("InvalidProtocolBufferException", output);
        Assert.Contains("Refused 200 request(s) as invalid_utf8", output);
    }
}
