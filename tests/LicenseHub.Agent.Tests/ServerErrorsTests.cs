using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace LicenseHub.Agent.Tests;

/// <summary>
/// What lh-agent says when a call to the license server fails: the server's URL, plain words and a next
/// step, never gRPC's own wording. The answers of a real server are covered end to end.
/// </summary>
public sealed class ServerErrorsTests : IDisposable
{
    private static readonly Uri s_server = new("https://license.example.test:8443/");
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    // Words of gRPC and .NET that mean nothing to the person reading the message.
    private static readonly string[] s_jargon =
        ["subchannel", "StatusCode", "Status(", "RpcException", "gRPC call", "Bad gRPC response", "Unavailable", "ResourceExhausted", "   at "];

    private readonly AgentSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Unavailable_ConnectionRefused_SaysUnreachableWithUrlAndNextStep()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "Error connecting to subchannel.",
            new HttpRequestException("Connection refused (license.example.test:8443)", new SocketException((int)SocketError.ConnectionRefused)))));

        Assert.Equal("the license server at https://license.example.test:8443 is unreachable (connection refused); " +
            "check --server and that the server runs, then retry", e.Message);
        Assert.Equal(ExitCodes.ServerUnreachable, e.ExitCode);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void Unavailable_FromStateFile_NamesTheStoredServerInsteadOfTheOption()
    {
        var e = ServerErrors.ToException(new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "Error connecting to subchannel.",
            new SocketException((int)SocketError.HostNotFound))), s_server, ServerSource.StateFile, s_timeout);

        Assert.Equal("the license server at https://license.example.test:8443 is unreachable (the name license.example.test does not resolve); " +
            "check that the server runs and that this machine can reach it, then retry", e.Message);
    }

    [Fact]
    public void DeadlineExceeded_SaysTimedOut()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")));

        Assert.Contains("https://license.example.test:8443 is unreachable: it did not answer within 30 s (timed out)", e.Message, StringComparison.Ordinal);
        Assert.Contains("then retry", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ServerUnreachable, e.ExitCode);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void ResourceExhausted_WithRetryInfo_SaysTooManyAttemptsRetryInSeconds()
    {
        var e = Map(new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = "Too many attempts; retry in 42 s.",
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(41.2)) }) },
        }.ToRpcException());

        Assert.Equal("the license server at https://license.example.test:8443 turned the request away: too many attempts, retry in 42 s", e.Message);
        Assert.Equal(TimeSpan.FromSeconds(41.2), e.RetryAfter);
        Assert.DoesNotContain("unreachable", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.ServerUnreachable, e.ExitCode);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void ResourceExhausted_WithoutRetryInfo_StillNotUnreachable()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, "Too many attempts; retry in 60 s.")));

        Assert.Contains("too many attempts, retry in a minute", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unreachable", e.Message, StringComparison.Ordinal);
        Assert.Null(e.RetryAfter);
    }

    [Fact]
    public void ResourceExhausted_HugeRetryDelay_IsCappedAtAnHour()
    {
        var e = Map(new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Details = { Any.Pack(new RetryInfo { RetryDelay = new Duration { Seconds = 365L * 86400 } }) },
        }.ToRpcException());

        Assert.Equal(TimeSpan.FromHours(1), e.RetryAfter);
        Assert.Contains("retry in 3600 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unauthenticated_SaysCredentialRefusedAndActivateAgain()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "The installation credential is not valid; activate again.")));

        Assert.StartsWith("the license server at https://license.example.test:8443 does not accept this installation's credential", e.Message, StringComparison.Ordinal);
        Assert.Contains("activate again: lh-agent activate --key-file PATH --server https://license.example.test:8443", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotLicensed, e.ExitCode);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void PermissionDenied_SaysNotPermittedWithNextStep()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, "Not yours.")));

        Assert.Equal("the license server at https://license.example.test:8443 does not permit this request (it said: Not yours); " +
            "check that this is the right license server for your license, or ask your reseller", e.Message);
        Assert.Equal(ExitCodes.NotLicensed, e.ExitCode);
    }

    [Fact]
    public void InvalidArgument_WithBadRequest_ListsFieldViolationsInPlainWords()
    {
        var e = Map(new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "The request has invalid fields.",
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations =
                    {
                        new BadRequest.Types.FieldViolation { Field = "product_version", Description = "must be a semantic version such as 1.4.2" },
                        new BadRequest.Types.FieldViolation { Field = "license_key", Description = "is not a valid license key; check it for typos" },
                    },
                }),
            },
        }.ToRpcException());

        Assert.Equal("the license server at https://license.example.test:8443 rejected the request: " +
            "the product version (--product-version) must be a semantic version such as 1.4.2; the license key is not a valid license key; check it for typos; " +
            "correct the product version (--product-version) and the license key and retry", e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void InvalidArgument_FieldTheAgentComputes_PointsAtVersionMismatch()
    {
        var e = Map(new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Details = { Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "os_version", Description = "is not major.minor" } } }) },
        }.ToRpcException());

        Assert.Contains("rejected the request: os version is not major.minor", e.Message, StringComparison.Ordinal);
        Assert.Contains("check that the agent and the server are of matching versions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidArgument_WithoutDetails_UsesTheStatusDetail()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "fingerprint: must be 64 hex characters")));

        Assert.Equal("the license server at https://license.example.test:8443 rejected the request as invalid: fingerprint: must be 64 hex characters; " +
            "correct the value and retry", e.Message);
    }

    [Fact]
    public void InvalidArgument_UnreadableDetailsTrailer_FallsBackToTheStatusDetail()
    {
        // Someone on the network may send anything; it must not crash the agent or read as details.
        var trailers = new Metadata { { "grpc-status-details-bin", new byte[] { 0xff, 0xff, 0xff } } };
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "bad"), trailers));

        Assert.Contains("rejected the request as invalid: bad", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidArgument_GarbledDetail_FallsBackToTheStatusDetail()
    {
        var e = Map(new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "bad",
            Details = { new Any { TypeUrl = "type.googleapis.com/google.rpc.BadRequest", Value = Google.Protobuf.ByteString.CopyFrom(0xff, 0xff, 0xff) } },
        }.ToRpcException());

        Assert.Contains("rejected the request as invalid: bad", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Internal_HttpOneOnlyPort_SaysItIsNotTheGrpcAddress()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: ...",
            new HttpRequestException("An error occurred while sending the request.", new IOException("The HTTP/2 server reset the stream. HTTP/2 error code 'HTTP_1_1_REQUIRED' (0xd).")))));

        Assert.Contains("https://license.example.test:8443 is unreachable (that port does not speak HTTP/2", e.Message, StringComparison.Ordinal);
        AssertNoJargon(e.Message);
    }

    [Fact]
    public void Internal_ServerFailure_SaysItFailedAndToRetryLater()
    {
        var e = Map(new RpcException(new Grpc.Core.Status(StatusCode.Internal, "An internal error occurred; it has been logged.")));

        Assert.Equal("the license server at https://license.example.test:8443 failed to answer (it said: An internal error occurred; it has been logged); " +
            "retry later, and tell the server's operator if it keeps failing", e.Message);
        Assert.Equal(ExitCodes.ServerUnreachable, e.ExitCode);
    }

    [Fact]
    public void Display_ServerWithPath_KeepsThePath()
    {
        Assert.Equal("https://license.example.test/licensehub/", ServerErrors.Display(new Uri("https://license.example.test/licensehub/")));
        Assert.Equal("http://127.0.0.1:5080", ServerErrors.Display(new Uri("http://127.0.0.1:5080/")));
    }

    [Fact]
    public void Activate_ServerDown_NamesUrlCauseAndNextStep()
    {
        // Port 1 on loopback refuses connections immediately.
        var (exit, _, error) = _sandbox.Run("activate", AgentSandbox.LicenseKey, "--server", "http://127.0.0.1:1");

        Assert.Equal(3, exit);
        Assert.Contains("lh-agent: the license server at http://127.0.0.1:1 is unreachable (connection refused); check --server and that the server runs, then retry",
            error, StringComparison.Ordinal);
        AssertNoJargon(error);
    }

    [Fact]
    public void RunOnce_ServerDown_NamesStoredUrlAndNextStep()
    {
        var state = _sandbox.WriteActivatedState();
        state.Server = "http://127.0.0.1:1/";
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("run", "--once");

        Assert.Equal(3, exit);
        Assert.Contains("check-in failed: the license server at http://127.0.0.1:1 is unreachable (connection refused); " +
            "check that the server runs and that this machine can reach it, then retry", error, StringComparison.Ordinal);
        AssertNoJargon(error);
    }

    [Fact]
    public void Forget_ServerDown_NamesUrlAndTheWayOut()
    {
        var state = _sandbox.WriteActivatedState();
        state.Server = "http://127.0.0.1:1/";
        _sandbox.Store.Save(state);

        var (exit, _, error) = _sandbox.Run("forget");

        Assert.Equal(3, exit);
        Assert.Contains("the license server at http://127.0.0.1:1 is unreachable (connection refused); the local state is kept; " +
            "check that the server runs and that this machine can reach it, then retry, or delete the state without telling the server with --force",
            error, StringComparison.Ordinal);
        AssertNoJargon(error);
    }

    private static LicenseServerException Map(RpcException e) => ServerErrors.ToException(e, s_server, ServerSource.CommandLine, s_timeout);

    private static void AssertNoJargon(string message)
    {
        foreach (var word in s_jargon)
        {
            Assert.False(message.Contains(word, StringComparison.Ordinal), $"'{word}' in: {message}");
        }
    }
}
