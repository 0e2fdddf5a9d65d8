using LicenseHub.Server.Grpc;
using LicenseHub.Server.Staff;
using LicenseHub.Server.Portal;
using LicenseHub.Data;
using LicenseHub.Data.Identity;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.OpenApi.Models;

namespace LicenseHub.Server.Hosting;

/// <summary>The browser portal for reseller and vendor staff, and REST/JSON for billing systems.</summary>
public static class PortalRegistration
{
    public const string CookieName = "lh_portal";

    public static WebApplicationBuilder AddLicenseHubPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Staff sign-in: ASP.NET Core Identity on the server's own database.
        services.AddIdentityCore<StaffUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<LicenseHubDbContext>()
            .AddErrorDescriber<StaffErrorDescriber>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.LoginPath = "/sign-in";
            o.AccessDeniedPath = "/status/403";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
        });
        foreach (var scheme in new[] { IdentityConstants.ApplicationScheme, IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.TwoFactorRememberMeScheme, IdentityConstants.ExternalScheme })
        {
            services.Configure<CookieAuthenticationOptions>(scheme, o =>
            {
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        }
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "lh_antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__RequestVerificationToken";
        });
        services.AddAuthorization();

        services.AddRazorPages(o =>
            {
                o.RootDirectory = "/Portal/Pages";
                // Sign-in first everywhere; the pages before sign-in say [AllowAnonymous] on their models, and
                // every other page model declares its permissions ([Requires]), checked by PortalPageFilter.
                o.Conventions.AuthorizeFolder("/");
            })
            .AddMvcOptions(o => o.Filters.Add<PortalPageFilter>());
        // Up to 10,000 references in one assignment form.
        services.Configure<FormOptions>(o => o.ValueCountLimit = 12_000);

        services.AddMemoryCache();
        services.AddSingleton<AssignedKeyStore>();
        services.AddScoped<StaffDirectory>();
        services.AddScoped<PortalQueries>();
        services.AddScoped<PortalPageFilter>();

        // OpenAPI for the REST/JSON surface (the transcoded ResellerService).
        services.AddGrpcSwagger();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "LicenseHub API",
                Version = "v1",
                Description = "REST/JSON for billing systems: the same operations as the gRPC ResellerService (reseller API keys) "
                    + "and VendorService (vendor keys, under /v1/vendor). Authenticate with 'Authorization: Bearer lh_...'.",
            });
            o.OperationFilter<OpenApiOperationFilter>();
            o.AddSecurityDefinition("ApiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A reseller API key (lh_...), created by the vendor or in the portal.",
            });
            o.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "ApiKey" } }] = [],
            });
        });
        return builder;
    }

    public static WebApplication MapLicenseHubPortal(this WebApplication app)
    {
        // Friendly pages instead of stack traces, also in Development.
        app.UseExceptionHandler("/error");
        // Only empty error responses: REST/JSON errors carry their own body and are left alone.
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        // REST answers JSON also where no operation matched: an unknown /v1 path (404) or a wrong method (405) gets a
        // google.rpc.Status body like every other REST error, not the portal's HTML page.
        app.Use(async (context, next) =>
        {
            await next();
            if (context.Request.Path.StartsWithSegments("/v1") && !context.Response.HasStarted
                && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
                && context.Response.ContentLength is null or 0 && string.IsNullOrEmpty(context.Response.ContentType))
            {
                var (code, message) = context.Response.StatusCode == StatusCodes.Status404NotFound
                    ? (5, "No REST operation has this path and method; the operations are listed at /swagger.")
                    : (12, "This REST operation does not take this HTTP method; the operations are listed at /swagger.");
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    System.Text.Json.JsonSerializer.Serialize(new { code, message, details = Array.Empty<object>() }), context.RequestAborted);
            }
        });
        // Short enum values (?state=active) and pageSize/pageToken on lists, rewritten to what transcoding binds.
        app.UseRestRequestNormalizer();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/swagger"))
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers.ContentSecurityPolicy =
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            }
            await next();
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapRazorPages();
        PortalAssets.Map(app);
        // The server the document was fetched from, so that a generated client needs no base URL of its own.
        app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}{request.PathBase}" }]));
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "LicenseHub reseller API v1");
            o.DocumentTitle = "LicenseHub reseller API";
        });
        return app;
    }
}
