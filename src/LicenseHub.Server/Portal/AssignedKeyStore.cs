using Microsoft.Extensions.Caching.Memory;

namespace LicenseHub.Server.Portal;

public sealed record AssignedKey(Guid LicenseId, string Key, string? Reference, DateTimeOffset ExpiresAt);

public sealed record AssignedBatch(Guid StaffUserId, string PlanName, IReadOnlyList<AssignedKey> Keys, DateTimeOffset AssignedAt);

/// <summary>
/// Holds the keys of a portal assignment between the POST that created them and the page (and the one CSV
/// download) that shows them, so a reload never assigns twice. In memory only, for minutes, for the
/// staff member who assigned them; the database never holds a key, only its hash.
/// </summary>
public sealed class AssignedKeyStore(IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public string Put(AssignedBatch batch)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        cache.Set(CacheKey(id), batch, Lifetime);
        return id;
    }

    public AssignedBatch? Peek(string id, Guid staffUserId) =>
        cache.TryGetValue<AssignedBatch>(CacheKey(id), out var batch) && batch!.StaffUserId == staffUserId ? batch : null;

    /// <summary>Returns the batch and forgets it: the CSV can be downloaded once.</summary>
    public AssignedBatch? Take(string id, Guid staffUserId)
    {
        var batch = Peek(id, staffUserId);
        if (batch is not null)
        {
            cache.Remove(CacheKey(id));
        }
        return batch;
    }

    private static string CacheKey(string id) => "assigned-keys:" + id;
}
