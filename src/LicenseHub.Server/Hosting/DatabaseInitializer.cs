using LicenseHub.Data;
using LicenseHub.Domain.Security;
using LicenseHub.Server.Resellers;
using Microsoft.EntityFrameworkCore;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using Microsoft.Extensions.Options;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// Applies migrations before the server accepts calls, and on first start with an empty database creates
/// the vendor admin key: printed once to the console and written to a 0600 file, never logged.
/// Safe when several replicas start together on one database: EF Core's migration lock lets one replica
/// at a time migrate (SQLite: a lock row; PostgreSQL: LOCK TABLE on the history table), and the first-start
/// bootstrap runs under <see cref="DatabaseLocks.FirstStartAsync"/>, so exactly one replica creates the keys.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<LicenseHubOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string VendorKeyFileName = "vendor-admin.key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (Persistence.StorageHealth.CauseOf(ex) is { } cause)
        {
            logger.LogCritical("Cannot start: {Cause}. Fix it and start again; nothing was changed", cause);
            throw new InvalidOperationException($"Cannot start: {cause}.", ex);
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        await db.Database.MigrateAsync(cancellationToken);

        await scope.ServiceProvider.GetRequiredService<Signing.SigningKeyRotation>().EnsureActiveKeyAsync(cancellationToken);
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var accounts = scope.ServiceProvider.GetRequiredService<ResellerAccounts>();
        var issued = await unitOfWork.RunAsync(async ct =>
        {
            await DatabaseLocks.FirstStartAsync(db, ct);
            if (await db.ApiKeys.AnyAsync(k => k.Role == ApiKeyRole.VendorAdmin, ct))
            {
                return null;
            }
            var (_, key) = await accounts.IssueKeyAsync("system:first-start", null, "vendor admin (first start)", ApiKeyRole.VendorAdmin, ct);
            return key;
        }, cancellationToken);
        if (issued is null)
        {
            return;
        }
        var directory = options.Value.ResolveDataDirectory();
        var path = Path.Combine(directory, VendorKeyFileName);
        await OwnerOnlyFile.WriteAsync(path, issued + "\n", cancellationToken);
        // Deliberately the console, not the logger: log sinks must never receive a secret.
        Console.WriteLine();
        Console.WriteLine("  First start: created the vendor admin API key. It is shown only this once:");
        Console.WriteLine();
        Console.WriteLine($"    {issued}");
        Console.WriteLine();
        Console.WriteLine($"  It is also in {path} (permissions 0600). Store it safely, then delete that file.");
        Console.WriteLine();
        logger.LogInformation("Created the vendor admin API key on first start; written to {Path}", path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
