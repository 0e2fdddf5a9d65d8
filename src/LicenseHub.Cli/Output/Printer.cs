using Google.Protobuf;

namespace LicenseHub.Cli.Output;

/// <summary>
/// Prints a response either for people (tables, lines) or for machines (protobuf JSON). Notices for
/// people go to stderr, so stdout stays parseable with --json.
/// </summary>
public sealed class Printer(TextWriter output, TextWriter error, bool json)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithFormatDefaultValues(true)
        .WithIndentation());

    public bool Json { get; } = json;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public void Print(IMessage response, Action<TextWriter> forPeople)
    {
        if (Json)
        {
            Out.WriteLine(Formatter.Format(response));
        }
        else
        {
            forPeople(Out);
        }
    }

    public void Notice(string line) => Error.WriteLine(line);
}
