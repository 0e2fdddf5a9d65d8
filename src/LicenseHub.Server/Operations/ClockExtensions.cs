namespace LicenseHub.Server.Operations;

public static class ClockExtensions
{
    /// <summary>How far the clock may be behind a time already stored (replicas' clocks differ a little) before it is not trusted.</summary>
    public static readonly TimeSpan StoredTimeTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Now, truncated to the millisecond precision the database stores, so what a response says is what a later read returns.</summary>
    public static DateTimeOffset Now(this TimeProvider clock) =>
        DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
}
