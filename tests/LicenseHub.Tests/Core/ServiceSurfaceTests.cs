using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using LicenseHub.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LicenseHub.Tests.Core;

public sealed class ServiceSurfaceTests : IDisposable
{
    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Health_EmptyServiceName_IsServingWhileDatabaseIsReachable()
    {
        var health = new Health.HealthClient(_factory.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await WaitForPublishedStatusAsync(health));
    }

    [Fact]
    public async Task Health_Check_AnswersFromThePublishedResult_WithoutRunningTheChecks()
    {
        var counter = new CountingHealthCheck();
        using var factory = new LicenseHubFactory(builder => builder.ConfigureTestServices(services =>
            services.AddHealthChecks().AddCheck("counting", counter)));
        var health = new Health.HealthClient(factory.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await WaitForPublishedStatusAsync(health));

        var runsBefore = counter.Runs;
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        }
        // 50 probes ran the checks at most once more (a publication may fall in between), not 50 times.
        Assert.InRange(counter.Runs - runsBefore, 0, 1);
    }

    /// <summary>The status once the first result is published (NOT_FOUND until then, as for an unknown service).</summary>
    private static async Task<HealthCheckResponse.Types.ServingStatus> WaitForPublishedStatusAsync(Health.HealthClient health)
    {
        var deadline = DateTime.UtcNow + 2 * Server.Hosting.ServiceRegistration.ReadinessPeriod;
        while (true)
        {
            try
            {
                return (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private sealed class CountingHealthCheck : IHealthCheck
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _runs);
            return Task.FromResult(HealthCheckResult.Healthy());
        }
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
        var path = Path.Combine(_factory.DataDirectory, Server.Hosting.DatabaseInitializer.VendorKeyFileName);
        Assert.StartsWith("lh_", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(1, _factory.WithDb(db => db.ApiKeys.Count()));
    }
}
