using System.CommandLine;

namespace LicenseHub.Cli;

/// <summary>Options every command accepts: where the server is, who is calling, how to print.</summary>
public sealed class GlobalOptions
{
    public const string ServerVariable = "LH_SERVER";
    public const string ApiKeyVariable = "LH_API_KEY";
    public const string DefaultServer = "http://127.0.0.1:5080";

    // No DefaultValueFactory on purpose: help would evaluate it and print the environment's values,
    // which for the API key would be a secret on screen.
    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"URL of the LicenseHub gRPC endpoint. Defaults to ${ServerVariable}, else {DefaultServer}.",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key to call with. Defaults to ${ApiKeyVariable}. Prefer ${ApiKeyVariable} or --api-key-file: "
            + "a key on the command line is visible to other users of this machine.",
        HelpName = "KEY",
        Recursive = true,
    };

    public Option<FileInfo?> ApiKeyFile { get; } = new("--api-key-file")
    {
        Description = "Read the API key from this file (e.g. the vendor-admin.key the server writes on first start).",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the server's response as JSON (protobuf JSON mapping) instead of tables.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Server);
        root.Add(ApiKey);
        root.Add(ApiKeyFile);
        root.Add(Json);
    }
}
