using Microsoft.Extensions.Logging.Console;

namespace LicenseHub.Server.Hosting;

/// <summary>
/// The console log: its format (<c>LicenseHub:LogFormat</c>, also <c>--log-format</c>) and the levels of framework
/// categories that would otherwise write a stack trace for an ordinary bad request. What a request did is the one
/// line <see cref="Operations.RequestLogging"/> writes.
/// </summary>
public static class LoggingRegistration
{
    public const string FormatKey = "LicenseHub:LogFormat";

    /// <summary>
    /// Defaults, each overridden by a <c>Logging:LogLevel</c> entry for the same category. gRPC logs every error status
    /// (INVALID_ARGUMENT too) with its exception at Information, JSON transcoding a malformed body twice with its stack;
    /// the health check service logs each failed probe at Error, where StorageHealth already logs the condition once.
    /// </summary>
    private static readonly (string Category, LogLevel Level)[] QuietCategories =
    [
        ("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning),
        ("Grpc.AspNetCore.Grpc.JsonTranscoding", LogLevel.Warning),
        ("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical),
    ];

    public static WebApplicationBuilder AddLicenseHubLogging(this WebApplicationBuilder builder)
    {
        switch (builder.Configuration[FormatKey]?.Trim().ToLowerInvariant())
        {
            case null or "":
                // Under systemd AddSystemd (OperationsRegistration) has chosen the systemd format; elsewhere: simple.
                if (!Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService())
                {
                    AddSimple(builder.Logging);
                }
                break;
            case "simple":
                AddSimple(builder.Logging);
                break;
            case "json":
                builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
                break;
            case "systemd":
                builder.Logging.AddSystemdConsole();
                break;
            default:
                throw new StartRefusedException($"{FormatKey} (--log-format) must be simple, json or systemd, not '{builder.Configuration[FormatKey]}'.");
        }

        var configured = builder.Configuration.GetSection("Logging:LogLevel");
        foreach (var (category, level) in QuietCategories)
        {
            if (configured[category] is null)
            {
                builder.Logging.AddFilter(category, level);
            }
        }
        return builder;
    }

    // One line an event, with a UTC timestamp: what grep, tail and a log shipper expect.
    private static void AddSimple(ILoggingBuilder logging) => logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.UseUtcTimestamp = true;
        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        o.ColorBehavior = LoggerColorBehavior.Disabled;
    });
}
