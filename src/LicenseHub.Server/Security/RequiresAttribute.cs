namespace LicenseHub.Server.Security;

/// <summary>
/// Declares, next to an operation, a permission its caller must hold: on a gRPC service method (and so on its
/// REST/JSON route, which shares the method's endpoint metadata) or on a portal page model or page handler.
/// Several declarations on one operation (class and method) must all hold. An operation without any is refused;
/// <see cref="Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute"/> instead says it needs no API key or
/// sign-in at all.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequiresAttribute(Permission permission) : Attribute
{
    public Permission Permission { get; } = permission;
}
