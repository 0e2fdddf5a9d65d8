namespace LicenseHub.Server.Portal;

/// <summary>The browser portal for reseller and vendor staff, and REST/JSON for billing systems.</summary>
public static class PortalRegistration
{
    public static WebApplicationBuilder AddLicenseHubPortal(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapLicenseHubPortal(this WebApplication app) => app;
}
