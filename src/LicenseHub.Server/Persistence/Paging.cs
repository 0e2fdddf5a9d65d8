using System.Text;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Server.Persistence;

/// <summary>A validated page request: keyset paging on ids, newest first.</summary>
public sealed record PageSpec(int Size, Guid? After)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static PageSpec From(Validator v, int pageSize, string? pageToken, string field = "page")
    {
        if (pageSize == 0)
        {
            pageSize = DefaultSize;
        }
        v.Range($"{field}.page_size", pageSize, 1, MaxSize);
        Guid? after = null;
        if (!string.IsNullOrEmpty(pageToken))
        {
            try
            {
                var text = Encoding.ASCII.GetString(Convert.FromBase64String(pageToken));
                after = Guid.ParseExact(text, "D");
            }
            catch (FormatException)
            {
                v.Fail($"{field}.page_token", "is not a token from a previous response");
            }
        }
        return new PageSpec(pageSize, after);
    }

    /// <summary>The token for the page after one ending with <paramref name="lastId"/>, or empty at the end.</summary>
    public static string NextToken<T>(IReadOnlyList<T> fetched, int size, Func<T, Guid> id) =>
        fetched.Count > size ? Convert.ToBase64String(Encoding.ASCII.GetBytes(id(fetched[size - 1]).ToString("D"))) : "";
}
