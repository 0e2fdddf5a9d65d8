using System.CommandLine;
using Google.Protobuf;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>--page-size, --page-token and --all for list commands.</summary>
public sealed class Paging
{
    private const string NextTokenField = "next_page_token";

    public Option<int> PageSize { get; } = new("--page-size")
    {
        Description = "How many items per page, 1..500 (server default 50).",
        HelpName = "N",
    };

    public Option<string?> PageToken { get; } = new("--page-token")
    {
        Description = "Continue a listing from the token a previous page printed.",
        HelpName = "TOKEN",
    };

    public Option<bool> All { get; } = new("--all") { Description = "Fetch every page, not just the first." };

    public static Paging AddTo(Command command)
    {
        var paging = new Paging();
        command.Add(paging.PageSize);
        command.Add(paging.PageToken);
        command.Add(paging.All);
        return paging;
    }

    /// <summary>
    /// Fetches one page, or with --all every page merged into one response, prints it, and tells a person how to
    /// get the rest when there is more: every paged list reads alike.
    /// </summary>
    public async Task PrintAsync<T>(Printer printer, ParseResult parse, Func<PageRequest, Task<T>> call, Action<TextWriter, T> forPeople)
        where T : IMessage<T>
    {
        var response = await FetchAsync(parse, call);
        printer.Print(response, o => forPeople(o, response));
        HintMore(printer, response);
    }

    private async Task<T> FetchAsync<T>(ParseResult parse, Func<PageRequest, Task<T>> call) where T : IMessage<T>
    {
        var request = new PageRequest { PageSize = parse.GetValue(PageSize), PageToken = parse.GetValue(PageToken) ?? "" };
        var result = await call(request);
        if (!parse.GetValue(All))
        {
            return result;
        }
        var tokenField = result.Descriptor.FindFieldByName(NextTokenField).Accessor;
        var seen = new HashSet<string>();
        var next = (string)tokenField.GetValue(result);
        while (next.Length > 0 && seen.Add(next))
        {
            var page = await call(new PageRequest { PageSize = request.PageSize, PageToken = next });
            next = (string)tokenField.GetValue(page);
            result.MergeFrom(page);
        }
        tokenField.SetValue(result, "");
        return result;
    }

    private static void HintMore(Printer printer, IMessage response)
    {
        var next = (string)response.Descriptor.FindFieldByName(NextTokenField).Accessor.GetValue(response);
        if (!printer.Json && next.Length > 0)
        {
            printer.Notice($"More results: add --page-token {next}, or --all for everything.");
        }
    }
}
