using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LicenseHub.Server.Persistence;

/// <summary>
/// Locks for the few steps that must not interleave across server replicas, taken in the database because
/// a replica cannot see another's memory. All are transaction-scoped: they end with the commit or rollback
/// of the unit of work that took them, so a crashed replica never leaves one behind.
/// <para>
/// On PostgreSQL these are row locks (SELECT … FOR UPDATE) and advisory locks (pg_advisory_xact_lock). On
/// SQLite they are no-ops: every write transaction there starts as BEGIN IMMEDIATE and so already holds
/// the database's single write lock, which serialises all writers.
/// </para>
/// </summary>
public static class DatabaseLocks
{
    // pg_advisory_xact_lock(classid, objid): one class for LicenseHub ("LH" in ASCII), one id per purpose.
    private const int LicenseHubLockClass = 0x4C48;
    private const int AuditChainLock = 1;
    private const int FirstStartLock = 2;
    private const int RetentionLock = 3;
    // 4: the start-up migration (DatabaseInitializer), a session lock taken on a connection of its own.
    private const int ExpiryScanLock = 5;

    /// <summary>
    /// Serialises appends to the hash-chained audit trail, so reading the chain head and inserting the next
    /// event is one step across replicas and the chain stays linear.
    /// </summary>
    public static Task AuditChainAsync(LicenseHubDbContext db, CancellationToken ct) => AdvisoryAsync(db, AuditChainLock, ct);

    /// <summary>Serialises the first-start bootstrap (first signing key, first vendor admin key) of replicas starting together.</summary>
    public static Task FirstStartAsync(LicenseHubDbContext db, CancellationToken ct) => AdvisoryAsync(db, FirstStartLock, ct);

    /// <summary>One retention run at a time, so two replicas never count the same old check-ins twice.</summary>
    public static Task RetentionAsync(LicenseHubDbContext db, CancellationToken ct) => AdvisoryAsync(db, RetentionLock, ct);

    /// <summary>One scan for expiring and expired licenses at a time, so two replicas never send the same notice twice.</summary>
    public static Task ExpiryScanAsync(LicenseHubDbContext db, CancellationToken ct) => AdvisoryAsync(db, ExpiryScanLock, ct);

    /// <summary>
    /// Locks one license row until the transaction ends: what is read next about the license (its state, its
    /// installation count, its transfer budget) cannot change underneath the decision made from it. Under
    /// PostgreSQL's READ COMMITTED two replicas could otherwise both see "one machine left" and both activate.
    /// </summary>
    public static async Task LicenseAsync(LicenseHubDbContext db, Guid licenseId, CancellationToken ct)
    {
        RequireTransaction(db);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Licenses\" WHERE \"Id\" = {licenseId} FOR UPDATE", ct);
        }
    }

    /// <summary>
    /// Locks one webhook endpoint row until the transaction ends: the answers of its deliveries are recorded one at a
    /// time, so the one that disables the endpoint (and ends its other deliveries) never deadlocks with another.
    /// </summary>
    public static async Task WebhookEndpointAsync(LicenseHubDbContext db, Guid endpointId, CancellationToken ct)
    {
        RequireTransaction(db);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"WebhookEndpoints\" WHERE \"Id\" = {endpointId} FOR UPDATE", ct);
        }
    }

    /// <summary>
    /// Locks the licenses in id order until the transaction ends (so two calls over overlapping licenses cannot
    /// deadlock): a renewal or plan change of many licenses decides on what no other call changes meanwhile.
    /// </summary>
    public static async Task LicensesAsync(LicenseHubDbContext db, IReadOnlyCollection<Guid> licenseIds, CancellationToken ct)
    {
        RequireTransaction(db);
        if (db.Database.IsNpgsql())
        {
            var ids = licenseIds.Order().ToArray();
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Licenses\" WHERE \"Id\" = ANY({ids}) ORDER BY \"Id\" FOR UPDATE", ct);
        }
    }

    /// <summary>
    /// Serialises the calls that carry one idempotency key of one reseller, so a retry racing the first call waits
    /// for it and then finds what it did instead of doing it again. <paramref name="scope"/> names the operation
    /// family ("order", "assign"). The unique index on the key stays the last word if two get through anyway.
    /// </summary>
    public static async Task IdempotencyKeyAsync(LicenseHubDbContext db, string scope, Guid resellerId, string key, CancellationToken ct)
    {
        RequireTransaction(db);
        if (db.Database.IsNpgsql())
        {
            // The one-bigint advisory locks are a key space of their own, apart from the two-int ones above.
            var lockId = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{scope}\n{resellerId:N}\n{key}")));
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({lockId})", ct);
        }
    }

    private static async Task AdvisoryAsync(LicenseHubDbContext db, int purpose, CancellationToken ct)
    {
        RequireTransaction(db);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LicenseHubLockClass}, {purpose})", ct);
        }
    }

    private static void RequireTransaction(LicenseHubDbContext db)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Database locks are transaction-scoped; take them inside a unit of work.");
        }
    }
}
