namespace LicenseHub.Cli;

/// <summary>What lhctl reads from and writes to its surroundings; replaceable in tests.</summary>
public sealed class CliEnvironment(TextWriter output, TextWriter error, Func<string, string?> variables, TextReader? input = null)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Where a confirmation's answer is read from (standard input).</summary>
    public TextReader Input { get; } = input ?? TextReader.Null;

    public string? Get(string variable) => variables(variable);
}
