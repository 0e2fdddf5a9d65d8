using Google.Rpc;
using Grpc.Core;

namespace LicenseHub.Tests.Infrastructure;

public static class RpcAssert
{
    public static async Task<RpcException> Fails(StatusCode expected, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == expected, $"expected {expected}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }

    public static Task<RpcException> Fails<T>(StatusCode expected, Func<AsyncUnaryCall<T>> call) =>
        Fails(expected, async () => await call());

    /// <summary>Asserts INVALID_ARGUMENT with a google.rpc.BadRequest violation naming <paramref name="field"/>.</summary>
    public static async Task InvalidField<T>(string field, Func<AsyncUnaryCall<T>> call)
    {
        var ex = await Fails(StatusCode.InvalidArgument, call);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var badRequest = status!.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest!.FieldViolations, v => v.Field == field);
    }
}
