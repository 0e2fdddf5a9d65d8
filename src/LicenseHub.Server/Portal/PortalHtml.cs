using System.Globalization;
using System.Net;
using System.Text;
using LicenseHub.Domain.Licensing;
using LicenseHub.Domain.Security;
using Microsoft.AspNetCore.Html;

namespace LicenseHub.Server.Portal;

/// <summary>Small pieces of markup the pages share: dates, money, states, and the daily chart.</summary>
public static class PortalHtml
{
    /// <summary>A date; a perpetual license's expiry (<see cref="Domain.Licensing.License.Never"/>) reads "never".</summary>
    public static string Date(DateTimeOffset value) =>
        value == Domain.Licensing.License.Never ? "never" : value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset value) =>
        value == Domain.Licensing.License.Never ? "never" : value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Money(long minor, string currency) => new Domain.Pricing.Money(minor, currency).ToString(groupThousands: true);

    public static string Number(long value) => value.ToString("#,##0", CultureInfo.InvariantCulture);

    public static string State(LicenseState state) => state.ToString().ToLowerInvariant();

    public static string Role(ApiKeyRole role) => role switch
    {
        ApiKeyRole.VendorAdmin => "vendor admin",
        ApiKeyRole.VendorAuditor => "vendor auditor",
        _ => role.ToString().ToLowerInvariant(),
    };

    /// <summary>A bar chart as inline SVG: no script, readable by screen readers through its title and table.</summary>
    public static IHtmlContent DailyChart(IReadOnlyList<DayCount> days, string label)
    {
        const int width = 640, height = 180, left = 36, bottom = 24, top = 10;
        var max = Math.Max(1, days.Count == 0 ? 1 : days.Max(d => d.Count));
        var niceMax = NiceCeiling(max);
        var slot = (width - left - 4) / (double)Math.Max(1, days.Count);
        var bar = Math.Max(2, slot * 0.7);
        var svg = new StringBuilder();
        var summary = days.Count == 0 ? "no data" : $"from {days[0].Day:yyyy-MM-dd} to {days[^1].Day:yyyy-MM-dd}, latest {days[^1].Count}, highest {max}";
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label + ": " + summary)}\" preserveAspectRatio=\"xMidYMid meet\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{WebUtility.HtmlEncode(label)}</title>");
        for (var i = 0; i <= 4; i++)
        {
            var value = niceMax * i / 4;
            var y = height - bottom - (height - bottom - top) * i / 4.0;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{left}\" x2=\"{width}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" class=\"grid\"/><text x=\"{left - 6}\" y=\"{y + 4:0.#}\" class=\"axis\" text-anchor=\"end\">{value}</text>");
        }
        for (var i = 0; i < days.Count; i++)
        {
            var h = (height - bottom - top) * days[i].Count / (double)niceMax;
            var x = left + i * slot + (slot - bar) / 2;
            var y = height - bottom - h;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{bar:0.#}\" height=\"{Math.Max(h, 0.5):0.#}\" class=\"bar\"><title>{days[i].Day:yyyy-MM-dd}: {days[i].Count}</title></rect>");
            if (days.Count <= 14 || i % (days.Count / 7 + 1) == 0 || i == days.Count - 1)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + bar / 2:0.#}\" y=\"{height - 6}\" class=\"axis\" text-anchor=\"middle\">{days[i].Day:MM-dd}</text>");
            }
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static int NiceCeiling(int max)
    {
        var step = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (m * step >= max)
            {
                var ceiling = (int)Math.Ceiling(m * step);
                return ceiling < 4 ? 4 : ceiling;
            }
        }
        return max;
    }
}

/// <summary>What the staff table partial shows.</summary>
public sealed record StaffTable(IReadOnlyList<LicenseHub.Data.Identity.StaffUser> Users, Guid SelfId, bool Manage, IReadOnlyList<ApiKeyRole> Roles);
