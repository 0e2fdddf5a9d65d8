namespace LicenseHub.Server.Operations;

/// <summary>Telemetry, health endpoints and other operational concerns.</summary>
public static class OperationsRegistration
{
    public static WebApplicationBuilder AddLicenseHubOperations(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapLicenseHubOperations(this WebApplication app) => app;
}
