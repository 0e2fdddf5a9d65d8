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

    private ModelRowCommand(DbCommand command, DbParameter[] parameters, RelationalTypeMapping[] mappings, PropertyInfo[] properties)
    {
        _command = command;
        _parameters = parameters;
        _mappings = mappings;
        _properties = properties;
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

    /// <summary>UPDATE of the named properties of the row with the entity's primary key.</summary>
    public static async Task<ModelRowCommand<T>> UpdateAsync(LicenseHubDbContext db, IReadOnlyList<string> propertyNames, CancellationToken ct)
    {
        var (entity, table) = Table(db);
        var set = propertyNames.Select(name => entity.FindProperty(name) ?? throw new ArgumentException($"{typeof(T).Name} has no property {name}."))
            .ToArray();
        var key = entity.FindPrimaryKey()!.Properties.ToArray();
        var columns = set.Concat(key).ToArray();
        if (columns.Any(p => p.PropertyInfo is null))
        {
            throw new InvalidOperationException($"{typeof(T).Name}: only properties with a CLR property can be written this way.");
        }
        var sql = db.GetService<ISqlGenerationHelper>();
        return await CreateAsync(db, columns, parameters =>
            $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET "
            + string.Join(", ", set.Select((p, i) => $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterNamePlaceholder(parameters[i].ParameterName)}"))
            + " WHERE "
            + string.Join(" AND ", key.Select((p, i) =>
                $"{sql.DelimitIdentifier(p.GetColumnName(table)!)} = {sql.GenerateParameterNamePlaceholder(parameters[set.Length + i].ParameterName)}")), ct);
    }

    /// <summary>Writes one row; returns the number of rows affected.</summary>
    public Task<int> ExecuteAsync(T row, CancellationToken ct)
    {
        for (var i = 0; i < _properties.Length; i++)
        {
            var value = _properties[i].GetValue(row);
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
        CancellationToken ct)
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
        return new ModelRowCommand<T>(command, parameters, mappings, columns.Select(c => c.PropertyInfo!).ToArray());
    }
}
