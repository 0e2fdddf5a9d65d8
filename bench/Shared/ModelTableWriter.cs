using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace LicenseHub.Bench;

/// <summary>
/// Inserts entities with one prepared Microsoft.Data.Sqlite command, taking table, columns and value
/// conversions (unix milliseconds, enums as text) from the EF Core model, so the rows are exactly what
/// the server writes even as the model grows, without EF's change tracking in the way.
/// </summary>
public sealed class ModelTableWriter<T> : IDisposable
    where T : class
{
    private readonly SqliteCommand _command;
    private readonly Func<T, object?>[] _values;

    public ModelTableWriter(IModel model, SqliteConnection connection, SqliteTransaction transaction)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = new List<string>();
        var values = new List<Func<T, object?>>();
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        foreach (var property in entity.GetProperties())
        {
            if (property.PropertyInfo is null || property.GetColumnName(store) is not { } column)
            {
                continue;
            }
            if (property.IsPrimaryKey() && property.ValueGenerated == ValueGenerated.OnAdd && property.ClrType == typeof(long))
            {
                // INTEGER PRIMARY KEY AUTOINCREMENT: SQLite assigns it.
                continue;
            }
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "$p" + columns.Count;
            var clrType = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            var converter = property.GetTypeMapping().Converter;
            if (clrType == typeof(Guid) && converter is null)
            {
                // EF Core stores Guid as upper-case TEXT on SQLite.
                parameter.SqliteType = SqliteType.Text;
            }
            _command.Parameters.Add(parameter);
            columns.Add(column);
            values.Add(Compile(property.PropertyInfo, converter?.ConvertToProvider));
        }
        _values = [.. values];
        _command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) "
            + $"VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        _command.Prepare();
    }

    public void Insert(T row)
    {
        var parameters = _command.Parameters;
        for (var i = 0; i < _values.Length; i++)
        {
            parameters[i].Value = _values[i](row) ?? DBNull.Value;
        }
        _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();

    private static Func<T, object?> Compile(System.Reflection.PropertyInfo property, Func<object?, object?>? toProvider)
    {
        var row = Expression.Parameter(typeof(T), "row");
        var getter = Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.Property(row, property), typeof(object)), row).Compile();
        return toProvider is null ? getter : r => getter(r) is { } v ? toProvider(v) : null;
    }
}

/// <summary>SQLite database set up the way the server sets it up.</summary>
public static class BenchDatabase
{
    public static LicenseHub.Data.LicenseHubDbContext Context(string path)
    {
        var options = new DbContextOptionsBuilder<LicenseHub.Data.LicenseHubDbContext>();
        LicenseHub.Data.Sqlite.SqliteDatabase.UseLicenseHubSqlite(options, $"Data Source={path}");
        return new LicenseHub.Data.LicenseHubDbContext(options.Options);
    }

    /// <summary>Applies the server's migrations, as the server does at start.</summary>
    public static void Migrate(string path)
    {
        using var db = Context(path);
        db.Database.Migrate();
    }

    /// <summary>A connection with the server's pragmas (WAL, synchronous=NORMAL) and EF's foreign_keys=ON.</summary>
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        command.ExecuteNonQuery();
        return connection;
    }
}
