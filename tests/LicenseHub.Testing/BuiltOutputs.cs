using System.Reflection;

namespace LicenseHub.Testing;

/// <summary>
/// Where 'dotnet build' put this repository's programs: the same Configuration these helpers were built with.
/// Nothing here builds; the callers' project references make 'dotnet build' and 'dotnet test' build them first.
/// </summary>
public static class BuiltOutputs
{
    private static readonly Lazy<string?> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot =>
        Root.Value ?? throw new InvalidOperationException($"No LicenseHub.sln above {AppContext.BaseDirectory}; run from the repository.");

    public static string Configuration =>
        typeof(BuiltOutputs).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The server, as users run it: 'dotnet licensehub.dll'.</summary>
    public static string ServerDll => ProjectOutput(Path.Combine("src", "LicenseHub.Server"), "licensehub.dll");

    /// <summary>The dotnet host that runs this process (set by the SDK), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>A file of a project's build output, e.g. ("bench/LicenseHub.Seed", "lh-seed.dll"); it must exist.</summary>
    public static string ProjectOutput(string projectDirectory, string fileName)
    {
        var path = OutputPath(RepositoryRoot, projectDirectory, fileName, Configuration);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing; build the solution ('dotnet build -c {Configuration}') first.", path);
    }

    /// <summary>The same, of the given configuration; null where there is no repository or no such file.</summary>
    public static string? FindProjectOutput(string projectDirectory, string fileName, string? configuration = null)
    {
        if (Root.Value is not { } root)
        {
            return null;
        }
        var path = OutputPath(root, projectDirectory, fileName, configuration ?? Configuration);
        return File.Exists(path) ? path : null;
    }

    private static string OutputPath(string root, string projectDirectory, string fileName, string configuration) =>
        Path.Combine(root, projectDirectory, "bin", configuration, "net10.0", fileName);

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LicenseHub.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
