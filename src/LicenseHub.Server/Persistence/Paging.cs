using System.Linq.Expressions;
using System.Text;
using LicenseHub.Domain.Validation;

namespace LicenseHub.Server.Persistence;

/// <summary>A validated page request: keyset paging on ids, newest first.</summary>
public sealed record PageSpec(int Size, Guid? After)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    private static readonly System.Reflection.MethodInfo GuidCompareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;

    public static PageSpec From(Validator v, int pageSize, string? pageToken, string field = "page")
    {
        var size = ValidSize(v, pageSize, field);
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
                RejectToken(v, field);
            }
        }
        return new PageSpec(size, after);
    }

    /// <summary>The page size asked for, within 1..<see cref="MaxSize"/>; 0 (proto3's "not set") is the default.</summary>
    public static int ValidSize(Validator v, int pageSize, string field = "page")
    {
        if (pageSize == 0)
        {
            pageSize = DefaultSize;
        }
        v.Range($"{field}.page_size", pageSize, 1, MaxSize);
        return pageSize;
    }

    /// <summary>A token no response of ours could have given.</summary>
    public static void RejectToken(Validator v, string field = "page") =>
        v.Fail($"{field}.page_token", "is not a token from a previous response");

    /// <summary>
    /// The rows of this page, newest id first, plus one: whether that one exists tells <see cref="Cut{T}"/>
    /// if another page follows, without counting the rest.
    /// </summary>
    public IQueryable<T> Window<T>(IQueryable<T> query, Expression<Func<T, Guid>> id)
    {
        if (After is { } after)
        {
            // id.CompareTo(after) < 0 over the caller's id, with after as a closure so EF Core sends it as a parameter.
            Expression<Func<Guid>> value = () => after;
            var before = Expression.LessThan(Expression.Call(id.Body, GuidCompareTo, value.Body), Expression.Constant(0));
            query = query.Where(Expression.Lambda<Func<T, bool>>(before, id.Parameters));
        }
        return query.OrderByDescending(id).Take(Size + 1);
    }

    /// <summary>What <see cref="Window{T}"/> fetched: the page itself, and the token for the next one.</summary>
    public (IReadOnlyList<T> Items, string Next) Cut<T>(IReadOnlyList<T> fetched, Func<T, Guid> id) =>
        Cut(fetched, Size, last => Token(id(last)));

    /// <summary>The token that continues after the item with this id.</summary>
    public static string Token(Guid lastId) => Convert.ToBase64String(Encoding.ASCII.GetBytes(lastId.ToString("D")));

    /// <summary>
    /// The first <paramref name="size"/> of one more than a page, and the token that continues after the last of them;
    /// empty at the end.
    /// </summary>
    public static (IReadOnlyList<T> Items, string Next) Cut<T>(IReadOnlyList<T> fetched, int size, Func<T, string> token) =>
        (fetched.Take(size).ToList(), fetched.Count > size ? token(fetched[size - 1]) : "");
}
