namespace LicenseHub.Testing;

/// <summary>How <see cref="ServerProcess"/> starts the server; the defaults are what most tests want.</summary>
public sealed record ServerOptions
{
    /// <summary>licensehub.dll to run; null: this repository's build (<see cref="BuiltOutputs.ServerDll"/>).</summary>
    public string? ServerDll { get; init; }

    /// <summary>The server's data directory, kept afterwards; null: a fresh temporary one, deleted when the server is disposed.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Extra configuration as environment variables, e.g. <c>LicenseHub__TokenLifetime</c>; these win over the options below.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A PostgreSQL database for the server instead of SQLite in its data directory.</summary>
    public string? PostgresConnectionString { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>A page on the web endpoint that must answer 200 OK too before the server counts as started, e.g. the portal's /sign-in.</summary>
    public string? WebReadyPath { get; init; }

    /// <summary>Keep only about this many of the newest characters of output (a long run must not grow it without bound); null: all of it.</summary>
    public int? OutputLimit { get; init; }

    /// <summary>Where to say which server is starting, on which address and data directory.</summary>
    public TextWriter? Log { get; init; }
}
