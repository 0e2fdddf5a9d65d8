using Grpc.Core;
using LicenseHub.Server.Security;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Privacy;
using LicenseHub.V1;

namespace LicenseHub.Server.Grpc;

public sealed class AuditGrpcService(
    CallerAccessor callers,
    DataInventoryBuilder inventory,
    PiiScanner scanner,
    RetentionReporter retention,
    TimeProvider clock) : AuditService.AuditServiceBase
{
    private Caller Caller => callers.Caller;

    [Requires(Permission.VendorAudit)]
    public override async Task<DataInventory> GetDataInventory(GetDataInventoryRequest request, ServerCallContext context)
    {
        if (request.Format is not ("" or "json" or "markdown"))
        {
            throw new Domain.ValidationException("format", "must be json or markdown");
        }
        var tables = await inventory.BuildAsync(Caller, context.CancellationToken);
        var now = clock.Now();
        var response = new DataInventory { GeneratedAt = now.ToProto() };
        response.Tables.AddRange(tables.Select(t => new InventoryTable
        {
            Table = t.Table,
            Entity = t.Entity,
            RowCount = t.RowCount,
            EndUserData = t.EndUserData,
            Columns =
            {
                t.Columns.Select(c => new InventoryColumn
                {
                    Column = c.Column, Classification = c.Classification, Purpose = c.Purpose, Retention = c.Retention, ReadableBy = { c.ReadableBy },
                }),
            },
        }));
        if (request.Format == "markdown")
        {
            response.Rendered = DataInventoryBuilder.ToMarkdown(tables, now);
        }
        return response;
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<PersonalDataScanReport> ScanForPersonalData(ScanForPersonalDataRequest request, ServerCallContext context)
    {
        var (findings, scanned) = await scanner.ScanAsync(Caller, context.CancellationToken);
        return new PersonalDataScanReport
        {
            ScannedAt = clock.Now().ToProto(),
            ValuesScanned = scanned,
            Findings =
            {
                findings.Select(f => new PersonalDataFinding
                {
                    Table = f.Table, Column = f.Column, RowKey = f.RowKey, Kind = f.Kind.ToString(), MaskedValue = f.MaskedValue,
                }),
            },
        };
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<RetentionReport> GetRetentionReport(GetRetentionReportRequest request, ServerCallContext context)
    {
        var entries = await retention.ReportAsync(Caller, context.CancellationToken);
        var report = new RetentionReport { GeneratedAt = clock.Now().ToProto() };
        foreach (var e in entries)
        {
            var entry = new RetentionEntry { DataClass = e.DataClass, Table = e.Table, Rule = e.Rule, Rows = e.Rows, Overdue = e.Overdue };
            if (e.Oldest is { } oldest)
            {
                entry.Oldest = oldest.ToProto();
            }
            report.Entries.Add(entry);
        }
        return report;
    }

    [Requires(Permission.VendorAudit)]
    public override async Task<UsageStatistics> GetUsageStatistics(GetUsageStatisticsRequest request, ServerCallContext context)
    {
        var (days, suppressed) = await retention.StatisticsAsync(Caller, request.Days, context.CancellationToken);
        return new UsageStatistics
        {
            SuppressedGroups = suppressed,
            Days =
            {
                days.Select(d => new DailyUsage
                {
                    Day = d.Day.ToString("yyyy-MM-dd"), Product = d.Product, ProductVersion = d.ProductVersion, OsFamily = d.OsFamily, Installations = d.Installations,
                }),
            },
        };
    }
}
