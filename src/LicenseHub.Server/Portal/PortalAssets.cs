using System.Reflection;

namespace LicenseHub.Server.Portal;

/// <summary>
/// The portal's stylesheet and script, embedded in the server assembly: the server runs from its build or
/// publish directory under any working directory, and needs no front-end build step.
/// </summary>
public static class PortalAssets
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/portal/portal.css", "LicenseHub.Server.Portal.Assets.portal.css", "text/css; charset=utf-8"),
        ("/portal/portal.js", "LicenseHub.Server.Portal.Assets.portal.js", "text/javascript; charset=utf-8"),
    ];

    public static void Map(WebApplication app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=300";
                return Results.Bytes(bytes, contentType);
            }).AllowAnonymous();
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The portal asset {resource} is not embedded in the server.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
