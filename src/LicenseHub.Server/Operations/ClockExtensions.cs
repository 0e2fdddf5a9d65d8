namespace LicenseHub.Server.Operations;

public static class ClockExtensions
{
    /// <summary>Now, truncated to the millisecond precision the database stores, so what a response says is what a later read returns.</summary>
    public static DateTimeOffset Now(this TimeProvider clock) =>
        DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
}
