using System.Diagnostics;
using System.Net;
using LicenseHub.EndToEnd.Tests.Infrastructure;

namespace LicenseHub.EndToEnd.Tests;

/// <summary>
/// The SQLite file under a running server is the one it opened, and a damaged file does not start: a deleted or replaced
/// database turns readiness unhealthy and writes UNAVAILABLE at once (instead of answering from the old file), and damaged
/// pages refuse the start with what to do.
/// </summary>
public sealed class DatabaseIntegrityTests : IDisposable
{
    private readonly TempDirectory _work = new("db-integrity");

    public void Dispose() => _work.Dispose();

    private string Data => _work.Combine("data");

    private string Database => Path.Combine(Data, "licensehub.db");

    [Fact]
    public async Task DatabaseFile_DeletedWhileRunning_NotReady_AndWritesAnswerUnavailable()
    {
        await using var server = await ServerProcess.StartAsync(Data);
        var (lhctl, asVendor) = await VendorAsync(server);
        await lhctl.SucceedAsync(null, [.. asVendor, "product", "create", "--code", "before", "--name", "Before"]);

        File.Delete(Database);

        await AssertGoneAsync(server, lhctl, asVendor, "the database file was deleted while the server ran");
    }

    [Fact]
    public async Task DatabaseFile_ReplacedWhileRunning_NotReady_AndWritesAnswerUnavailable()
    {
        await using var server = await ServerProcess.StartAsync(Data);
        var (lhctl, asVendor) = await VendorAsync(server);
        var copy = _work.Combine("copy.db");
        File.Copy(Database, copy);

        File.Move(copy, Database, overwrite: true);

        await AssertGoneAsync(server, lhctl, asVendor, "the database file was replaced by another file while the server ran");
    }

    [Fact]
    public async Task DatabaseWithDamagedPages_StartIsRefused_SayingWhatToDo()
    {
        await (await ServerProcess.StartAsync(Data)).DisposeAsync();
        const int pageSize = 4096;
        var length = new FileInfo(Database).Length;
        Assert.True(length > 8 * pageSize, $"The database is only {length} bytes.");
        using (var file = new FileStream(Database, FileMode.Open, FileAccess.Write))
        {
            // Pages 2 and later (tables and indexes); page 1, the header and schema, stays, so the file still opens.
            var garbage = new byte[length - 2 * pageSize];
            new Random(19).NextBytes(garbage);
            file.Position = 2 * pageSize;
            file.Write(garbage);
        }

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new ServerOptions
        {
            DataDirectory = Data,
            StartTimeout = TimeSpan.FromSeconds(60),
        }));

        Assert.Contains("exited with code 1", refused.Message);
        Assert.Contains("licensehub: cannot start: The database", refused.Message);
        Assert.Contains("is corrupt (PRAGMA quick_check:", refused.Message);
        Assert.Contains("licensehub restore", refused.Message);
        Assert.DoesNotContain("Unhandled exception", refused.Message);
    }

    private async Task<(Lhctl Lhctl, string[] AsVendor)> VendorAsync(ServerProcess server)
    {
        await server.ReadVendorKeyAsync();
        var key = _work.Combine("vendor.key");
        File.Copy(server.VendorKeyFile, key);
        return (new Lhctl(server.GrpcUrl, _work.Path), ["--api-key-file", key]);
    }

    private static async Task AssertGoneAsync(ServerProcess server, Lhctl lhctl, string[] asVendor, string cause)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
        var watch = Stopwatch.StartNew();
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains(cause, await ready.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Readiness took {watch.Elapsed}.");

        var write = await lhctl.RunAsync(null, [.. asVendor, "product", "create", "--code", "after", "--name", "After"]);

        Assert.Equal(3, write.ExitCode);
        Assert.Contains("UNAVAILABLE", write.StdErr);
        Assert.Contains(cause, write.StdErr);
        Assert.DoesNotContain("Unhandled error", server.Output);
    }
}
