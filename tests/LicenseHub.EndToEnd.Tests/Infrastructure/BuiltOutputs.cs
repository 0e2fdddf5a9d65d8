using System.Reflection;

namespace LicenseHub.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where 'dotnet build' put the server and lhctl: the same Configuration these tests were built with.
/// The tests build nothing themselves; the project references make 'dotnet test' build both first.
/// </summary>
public static class BuiltOutputs
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string Configuration =>
        typeof(BuiltOutputs).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string ServerDll => Require(Path.Combine(RepositoryRoot, "src", "LicenseHub.Server", "bin", Configuration, "net10.0", "licensehub.dll"));

    public static string LhctlDll => Require(Path.Combine(RepositoryRoot, "src", "LicenseHub.Cli", "bin", Configuration, "net10.0", "lhctl.dll"));

    /// <summary>The dotnet host that runs the tests (set by the SDK), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LicenseHub.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No LicenseHub.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    private static string Require(string path) => File.Exists(path)
        ? path
        : throw new FileNotFoundException($"{path} is missing; build the solution ('dotnet build -c {Configuration}') first.", path);
}
