using System.CommandLine;

namespace LicenseHub.Agent.Commands;

/// <summary>
/// Where a command takes the license key from: its value on the command line, <c>-</c> for standard input,
/// or <c>--key-file PATH</c>. A key typed as an argument is visible to every user of the machine in
/// <c>ps</c> and lands in shell history; the other two keep it out of both.
/// </summary>
internal static class LicenseKeyInput
{
    public const string StandardInput = "-";

    // A license key is about fifty characters; anything much larger is the wrong file.
    private const int MaxLength = 1024;

    public static Option<string?> CreateFileOption() => new("--key-file")
    {
        Description = "Read the license key from this file (trimmed; - for standard input), so it does not appear in 'ps' or the shell history.",
        HelpName = "PATH",
    };

    /// <summary>The trimmed key from exactly one of <paramref name="value"/> and <paramref name="keyFile"/>.</summary>
    /// <param name="value">The key as given on the command line, <c>-</c> for standard input, or null.</param>
    /// <param name="valueName">How the command line names <paramref name="value"/> ("KEY", "--key"), for the messages.</param>
    /// <exception cref="UsageException">Neither or both given, unreadable, empty, or not a single line.</exception>
    public static string Read(string? value, string? keyFile, TextReader input, string valueName)
    {
        if (value is not null && keyFile is not null)
        {
            throw new UsageException($"give the license key either as {valueName} or with --key-file, not both");
        }

        if (value is null && keyFile is null)
        {
            throw new UsageException($"no license key: give it as {valueName}, as '-' to read it from standard input, or with --key-file PATH");
        }

        if (keyFile is null && value != StandardInput)
        {
            // As typed on the command line, with the message this case always had.
            return value!.Trim().Length == 0 ? throw new UsageException("the license key is empty") : value.Trim();
        }

        if (keyFile is { Length: 0 })
        {
            throw new UsageException("--key-file needs a path (or - for standard input)");
        }

        if (keyFile is null || keyFile == StandardInput)
        {
            return Check(ReadStandardInput(input), "no license key on standard input", "standard input");
        }

        var path = Path.GetFullPath(keyFile);
        return Check(ReadFile(path), $"the license key file {path} is empty", $"the license key file {path}");
    }

    private static string Check(string text, string whenEmpty, string source)
    {
        var key = text.Trim();
        if (key.Length == 0)
        {
            throw new UsageException(whenEmpty);
        }

        if (key.Length > MaxLength)
        {
            throw new UsageException($"{source} holds more than a license key can be");
        }

        if (key.AsSpan().ContainsAny('\n', '\r'))
        {
            // Sending it would spend one of the server's few allowed failed activations on a mistake.
            throw new UsageException($"{source} holds more than one line; it must hold the license key alone");
        }

        return key;
    }

    private static string ReadStandardInput(TextReader input)
    {
        if (ReferenceEquals(input, Console.In) && !Console.IsInputRedirected)
        {
            // Someone at a terminal: Enter ends the key, rather than Ctrl-D.
            Console.Error.Write("license key: ");
            return input.ReadLine() ?? "";
        }

        return ReadBounded(input);
    }

    private static string ReadFile(string path)
    {
        try
        {
            // Not the file's length: it may be a pipe, e.g. --key-file <(pass show panel-key).
            using var reader = new StreamReader(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read });
            return ReadBounded(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the license key file {path}: {e.Message}");
        }
    }

    private static string ReadBounded(TextReader reader)
    {
        // One character more than a key may have is enough to tell that it is too much.
        var buffer = new char[MaxLength + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = reader.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return new string(buffer, 0, length);
    }
}
