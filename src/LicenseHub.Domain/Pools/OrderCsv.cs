using System.Globalization;
using System.Text;
using LicenseHub.Domain.Pricing;

namespace LicenseHub.Domain.Pools;

/// <summary>One order as a row of the reconciliation CSV.</summary>
/// <param name="Id">The order's id.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="Kind">Purchase, renewal, upgrade or return.</param>
/// <param name="ResellerId">The buyer (the vendor's export shows it).</param>
/// <param name="PlanId">The plan bought or renewed; for an upgrade the new plan.</param>
/// <param name="PlanCode">The plan's code, when known to the reader.</param>
/// <param name="FromPlanId">The plan the licenses left, if any.</param>
/// <param name="FromPlanCode">Its code, when known.</param>
/// <param name="Licenses">Licenses bought, renewed, upgraded or returned.</param>
/// <param name="Terms">Terms paid per license.</param>
/// <param name="Amount">What was charged.</param>
/// <param name="IdempotencyKey">The buyer's key, typically its own invoice number.</param>
/// <param name="PoolId">The pool a purchase topped up or a return gave back to.</param>
/// <param name="LicenseIds">The licenses a renewal, upgrade or return covered; none for a purchase.</param>
public sealed record OrderCsvRow(Guid Id, DateTimeOffset CreatedAt, OrderKind Kind, Guid ResellerId, Guid PlanId, string? PlanCode, Guid? FromPlanId,
    string? FromPlanCode, int Licenses, int Terms, Money Amount, string IdempotencyKey, Guid? PoolId, IReadOnlyList<Guid> LicenseIds);

/// <summary>
/// Orders as CSV for reconciliation (RFC 4180, UTF-8, one row per order), the same from the portal and from
/// <c>lhctl order list --csv</c>: the amount as the currency writes it ("19.99", "1500", "1.250") next to the
/// currency and the exact minor units; times in UTC, ISO 8601; the covered licenses space-separated.
/// </summary>
public static class OrderCsv
{
    /// <summary>The header line (with a line break), with the reseller column for the vendor's export.</summary>
    public static string Header(bool withReseller) =>
        "order_id,created_at,kind," + (withReseller ? "reseller_id," : "")
        + "plan_id,plan,from_plan_id,from_plan,licenses,terms,amount,currency,amount_minor,idempotency_key,pool_id,license_ids\r\n";

    /// <summary>One order's line, with its line break.</summary>
    public static string Row(OrderCsvRow row, bool withReseller)
    {
        ArgumentNullException.ThrowIfNull(row);
        var cells = new List<string>
        {
            row.Id.ToString(),
            row.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            row.Kind.ToString().ToLowerInvariant(),
        };
        if (withReseller)
        {
            cells.Add(row.ResellerId.ToString());
        }
        cells.AddRange(
        [
            row.PlanId.ToString(),
            row.PlanCode ?? "",
            row.FromPlanId?.ToString() ?? "",
            row.FromPlanCode ?? "",
            row.Licenses.ToString(CultureInfo.InvariantCulture),
            row.Terms.ToString(CultureInfo.InvariantCulture),
            row.Amount.FormatAmount(),
            row.Amount.Currency,
            row.Amount.AmountMinor.ToString(CultureInfo.InvariantCulture),
            row.IdempotencyKey,
            row.PoolId?.ToString() ?? "",
            string.Join(' ', row.LicenseIds),
        ]);
        return string.Join(',', cells.Select(Cell)) + "\r\n";
    }

    /// <summary>The whole file: header and rows.</summary>
    public static string Format(IEnumerable<OrderCsvRow> rows, bool withReseller)
    {
        var csv = new StringBuilder(Header(withReseller));
        foreach (var row in rows)
        {
            csv.Append(Row(row, withReseller));
        }
        return csv.ToString();
    }

    // Quoted when needed; a cell a spreadsheet would run as a formula (an idempotency key may start with '-')
    // is kept as text with a leading apostrophe.
    /// <summary>One CSV cell: quoted when it must be, and never read as a formula by a spreadsheet.</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
