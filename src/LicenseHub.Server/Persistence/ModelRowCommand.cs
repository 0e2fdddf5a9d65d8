using System.Data.Common;
using System.Reflection;
using LicenseHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LicenseHub.Server.Persistence;

/// <summary>
/// One prepared INSERT or UPDATE of an entity type's rows, run in the unit of work's transaction and
/// executed once per row. Table, columns, parameter types and value conversions come from the EF model,
/// so the rows are the ones EF would write; what is saved is EF's change tracking and its parsing of one
/// SQL statement per row. For the hot write paths only (bulk assignment, check-in batches).
/// </summary>
internal sealed class ModelRowCommand<T> : IAsyncDisposable where T : class
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly RelationalTypeMapping[] _mappings;
    private readonly PropertyInfo[] _properties;
    private readonly int _expectedCount;

    private ModelRowCommand(DbCommand command, DbParameter[] parameters, RelationalTypeMapping[] mappings, PropertyInfo[] properties, int expectedCount)
    {
        _command = command;
        _parameters = parameters;
        _mappings = mappings;
        _properties = properties;
        _expectedCount = expectedCount;
    }

    /// <summary>
    /// INSERT of every column, except a key the database generates (an identity). Null when a column has a
    /// default computed by the database: the caller then lets EF write the rows.
    /// </summary>
    public static async Task<ModelRowCommand<T>?> InsertAsync(LicenseHubDbContext db, CancellationToken ct)
    {
        var (entity, table) = Table(db);
        var columns = entity.GetProperties()
            .Where(p => p.GetColumnName(table) is not null && !IsStoreGeneratedKey(p))
            .ToArray();
        if (columns.Any(p => p.PropertyInfo is null || p.ValueGenerated != ValueGenerated.Never && p.GetDefaultValueSql(table) is not null))
        {
            return null;
        }
        var sql = db.GetService<ISqlGenerationHelper>();
        return await CreateAsync(db, columns, parameters =>
            $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} "
            + $"({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(table)!)))}) "
            + $"VALUES ({string.Join(", ", parameters.Select(p => sql.GenerateParameterNamePlaceholder(p.ParameterName)))})", ct);
    }

    /// <summary>
    /// UPDATE of the named properties of the row with the entity's primary key; with <paramref name="expectedPropertyNames"/>,
    /// only while those columns still hold the values given to <see cref="ExecuteAsync(T, IReadOnlyList{object?}, CancellationToken)"/>
    /// (null equal to null), so a row changed since it was read is left alone and the update affects no row.
    /// </summary>
    public static async Task<ModelRowCommand<T>> UpdateAsync(LicenseHubDbContext db, IReadOnlyList<string> propertyNames, CancellationToken ct,
        IReadOnlyList<string>? expectedPropertyNames = null)
    {
        var (entity, table) = Table(db);
        IProperty Find(string name) => entity.FindProperty(name) ?? throw new ArgumentException($"{typeof(T).Name} has no property {name}.");
        var set = propertyNames.Select(Find).ToArray();
        var key = entity.FindPrimaryKey()!.Properties.ToArray();
        var expected = (expectedPropertyNames ?? []).Select(Find).ToArray();
        var columns = set.Concat(key).Concat(expected).ToArray();
        if (columns.Any(p => p.PropertyInfo is null))
        {
            throw new InvalidOperationException($"{typeof(T).Name}: only properties with a CLR property can be written this way.");
        }
        var sql = db.GetService<ISqlGenerationHelper>();
        // SQL's = is never true for NULL; both providers have an operator that is.
        var same = db.Database.IsNpgsql() ? "IS NOT DISTINCT FROM" : "IS";
        string Column(IProperty p) => sql.DelimitIdentifier(p.GetColumnName(table)!);
        var command = await CreateAsync(db, columns, parameters =>
            $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET "
            + string.Join(", ", set.Select((p, i) => $"{Column(p)} = {sql.GenerateParameterNamePlaceholder(parameters[i].ParameterName)}"))
            + " WHERE "
            + string.Join(" AND ", key.Select((p, i) => $"{Column(p)} = {sql.GenerateParameterNamePlaceholder(parameters[set.Length + i].ParameterName)}")
                .Concat(expected.Select((p, i) =>
                    $"{Column(p)} {same} {sql.GenerateParameterNamePlaceholder(parameters[set.Length + key.Length + i].ParameterName)}"))), ct,
            expected.Length);
        return command;
    }

    /// <summary>Writes one row; returns the number of rows affected.</summary>
    public Task<int> ExecuteAsync(T row, CancellationToken ct) => ExecuteAsync(row, [], ct);

    /// <summary>Writes one row if its expected columns hold <paramref name="expected"/> (in their order); returns the number of rows affected.</summary>
    public Task<int> ExecuteAsync(T row, IReadOnlyList<object?> expected, CancellationToken ct)
    {
        if (expected.Count != _expectedCount)
        {
            throw new ArgumentException($"This command compares {_expectedCount} column(s), not {expected.Count}.", nameof(expected));
        }
        var fromRow = _properties.Length - _expectedCount;
        for (var i = 0; i < _properties.Length; i++)
        {
            var value = i < fromRow ? _properties[i].GetValue(row) : expected[i - fromRow];
            _parameters[i].Value = value is null ? DBNull.Value : _mappings[i].Converter?.ConvertToProvider(value) ?? value;
        }
        return _command.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    private static (IEntityType Entity, StoreObjectIdentifier Table) Table(LicenseHubDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        return (entity, StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()));
    }

    // An integer key the database numbers itself (SQLite INTEGER PRIMARY KEY, PostgreSQL identity).
    private static bool IsStoreGeneratedKey(IProperty property) =>
        property.IsPrimaryKey() && property.ValueGenerated == ValueGenerated.OnAdd && (property.ClrType == typeof(long) || property.ClrType == typeof(int));

    private static async Task<ModelRowCommand<T>> CreateAsync(LicenseHubDbContext db, IProperty[] columns, Func<DbParameter[], string> commandText,
        CancellationToken ct, int expectedCount = 0)
    {
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Rows are written inside a unit of work.");
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        var parameters = new DbParameter[columns.Length];
        var mappings = new RelationalTypeMapping[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            mappings[i] = columns[i].GetRelationalTypeMapping();
            parameters[i] = mappings[i].CreateParameter(command, "p" + i, null, columns[i].IsNullable);
            command.Parameters.Add(parameters[i]);
        }
        command.CommandText = commandText(parameters);
        await command.PrepareAsync(ct);
        return new ModelRowCommand<T>(command, parameters, mappings, columns.Select(c => c.PropertyInfo!).ToArray(), expectedCount);
    }
}
