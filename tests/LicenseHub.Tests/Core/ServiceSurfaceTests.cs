using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using LicenseHub.Tests.Infrastructure;

namespace LicenseHub.Tests.Core;

public sealed class ServiceSurfaceTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Health_EmptyServiceName_IsServingWhileDatabaseIsReachable()
    {
        var health = new Health.HealthClient(_factory.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_ListsLicenseHubServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_factory.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("licensehub.v1.VendorService", names);
        Assert.Contains("licensehub.v1.ResellerService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void FirstStart_WritesVendorKeyFileWithOwnerOnlyPermissions()
    {
        _ = _factory.Server;
        var path = Path.Combine(_factory.DataDirectory, Server.Infrastructure.DatabaseInitializer.VendorKeyFileName);
        Assert.StartsWith("lh_", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(1, _factory.WithDb(db => db.ApiKeys.Count()));
    }
}
