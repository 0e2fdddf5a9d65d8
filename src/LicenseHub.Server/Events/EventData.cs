using System.Globalization;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Pools;

namespace LicenseHub.Server.Events;

/// <summary>
/// What an event's <c>data</c> holds, per object: ids, states, dates and counts, as the feed and webhooks carry
/// them (snake_case JSON, times in ISO 8601 UTC, states and kinds in lower case). Never personal data or secrets:
/// no license key, no company or contact, no fingerprint.
/// </summary>
public static class EventData
{
    public sealed record LicenseData(
        string LicenseId, string PoolId, string PlanId, string State, string ExpiresAt, string? ResellerReference, string? PendingPlanId,
        string? Reason, IReadOnlyList<string> Features, bool Perpetual, string? MaintenanceUntil);

    public sealed record OrderData(
        string OrderId, string Kind, string PlanId, string? PoolId, string? FromPlanId, int Quantity, int Terms, long AmountMinor, string Currency,
        string? FeatureCode);

    public sealed record InstallationData(string InstallationId, string LicenseId, string? Reason);

    public sealed record PoolData(string PoolId, string PlanId, int Purchased, int Assigned, int Available, int Threshold);

    public sealed record EndpointData(string EndpointId, string Url, string Reason);

    public static LicenseData Of(License license, DateTimeOffset now, string? reason) => new(
        license.Id.ToString(), license.PoolId.ToString(), license.PlanId.ToString(),
        license.EffectiveState(now).ToString().ToLowerInvariant(), Time(license.ExpiresAt), license.ResellerReference,
        license.PendingPlanId?.ToString(), reason, license.FeatureCodes, license.IsPerpetual,
        license.MaintenanceUntil is { } mnt ? Time(mnt) : null);

    public static OrderData Of(Order order) => new(
        order.Id.ToString(), order.Kind.ToString().ToLowerInvariant(), order.PlanId.ToString(), order.PoolId?.ToString(),
        order.FromPlanId?.ToString(), order.Quantity, order.Terms, order.AmountMinor, order.Currency, order.FeatureCode);

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
