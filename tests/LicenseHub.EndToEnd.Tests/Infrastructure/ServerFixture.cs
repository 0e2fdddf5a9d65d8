namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>One running server with a fresh data directory, shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly Dictionary<string, Task<FlowResult>> _flows = [];

    public TempDirectory Work { get; } = new("server");

    public ServerProcess Server { get; private set; } = null!;

    public Lhctl Lhctl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(Work.Combine("data"));
        Lhctl = new Lhctl(Server.GrpcUrl, Work.Path);
    }

    /// <summary>The quick start, run once per product code for all tests that only need its result.</summary>
    public Task<FlowResult> FlowAsync(string productCode)
    {
        lock (_flows)
        {
            if (!_flows.TryGetValue(productCode, out var flow))
            {
                flow = NewcomerFlow.RunAsync(Lhctl, Server, Work.Path, productCode);
                _flows[productCode] = flow;
            }
            return flow;
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        Work.Dispose();
    }
}
