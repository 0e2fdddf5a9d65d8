namespace LicenseHub.Cli;

/// <summary>What lhctl reads from and writes to its surroundings; replaceable in tests.</summary>
public sealed class CliEnvironment(TextWriter output, TextWriter error, Func<string, string?> variables)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public string? Get(string variable) => variables(variable);
}
